using System.Text.Json.Serialization;
using ClinicBooking.ClinicService.Infrastructure;
using Hangfire;
using Hangfire.PostgreSql;

namespace ClinicBooking.ClinicService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        // One database per owned shard (Cell:Shards), migrated before the cell serves requests.
        builder.Services.AddSingleton<ShardDatabases>();
        builder.Services.AddHostedService<ShardMigrator>();
        builder.Services.AddHealthChecks().AddCheck<ShardsHealthCheck>("shards");

        builder.AddHybridCaching(ResourceNames.Redis);
        builder.AddSlotGeneration();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers?.Clear(); // clients call through the gateway
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
    }

    /// <summary>
    /// Hangfire, stored in the cell's first shard database (schema <c>hangfire</c>), so each cell schedules
    /// its own shards and several instances of one cell share one schedule and its locks.
    /// </summary>
    private static void AddSlotGeneration(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<SlotGenerationOptions>(builder.Configuration.GetSection(SlotGenerationOptions.Section));
        builder.Services.AddSingleton<SlotGenerator>();

        var firstShard = builder.Configuration.GetSection(CellOptions.Section).Get<CellOptions>()?.Shards.FirstOrDefault() ?? 0;
        var connectionString = builder.Configuration.GetConnectionString(ResourceNames.ShardDatabase(firstShard));
        builder.Services.AddHangfire(hangfire => hangfire
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UsePostgreSqlStorage(
                storage => storage.UseNpgsqlConnection(connectionString),
                new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true }));
        builder.Services.AddHangfireServer(server =>
        {
            server.WorkerCount = 2; // generation is one statement per shard; more workers would only poll
            server.ServerName = $"{builder.Environment.ApplicationName}-{Environment.MachineName}-{Environment.ProcessId}";
        });
    }

    /// <summary>The Hangfire dashboard (local requests only) and the recurring generation job, run once at start too.</summary>
    public static WebApplication UseSlotGeneration(this WebApplication app)
    {
        app.UseHangfireDashboard("/hangfire");
        // Only once started: the shards (and so Hangfire's storage) exist after the migrator has run.
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var options = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SlotGenerationOptions>>().Value;
            var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
            jobs.AddOrUpdate<SlotGenerator>(SlotGenerator.RecurringJobId, g => g.GenerateAllAsync(CancellationToken.None), options.Cron);
            jobs.Trigger(SlotGenerator.RecurringJobId);
        });
        return app;
    }
}
