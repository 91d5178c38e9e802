using System.Text.Json.Serialization;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Saga;
using Hangfire;
using MassTransit;
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
        builder.Services.AddSingleton<CacheInvalidationQueue>();
        builder.Services.AddHostedService(services => services.GetRequiredService<CacheInvalidationQueue>());
        builder.AddSlotGeneration();
        builder.AddBookingSaga();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Servers?.Clear(); // clients call through the gateway
            return Task.CompletedTask;
        }));
        builder.Services.ConfigureHttpJsonOptions(options =>
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(System.Text.Json.JsonNamingPolicy.CamelCase)));
    }

    /// <summary>
    /// The booking saga: its state and outbox live in the shards; MassTransit carries its messages over
    /// RabbitMQ to CustomerService, and CustomerService's answers come back on this cell's own queue.
    /// </summary>
    private static void AddBookingSaga(this IHostApplicationBuilder builder)
    {
        builder.Services.Configure<BookingOptions>(builder.Configuration.GetSection(BookingOptions.Section));
        var cell = builder.Configuration.GetSection(CellOptions.Section).Get<CellOptions>() ?? new CellOptions();
        var replyQueue = new ReplyQueue(builder.Configuration[$"{BookingOptions.Section}:{nameof(BookingOptions.ReplyQueue)}"]
            ?? $"{cell.Name}-booking-replies");
        builder.Services.AddSingleton(replyQueue);
        builder.Services.AddSingleton<BookingOutcomes>();
        builder.Services.AddSingleton<BookingSaga>();
        builder.Services.AddSingleton<OutboxDispatcher>();
        builder.Services.AddHostedService(services => services.GetRequiredService<OutboxDispatcher>());
        builder.Services.AddHostedService<BookingExpirer>();

        builder.AddRabbitMqMessaging(
            bus => bus.AddConsumer<BookingDecisionConsumer>(),
            (context, rabbit) => rabbit.ReceiveEndpoint(replyQueue.Name, endpoint =>
            {
                // Answers are sent to this queue by address, never published: no exchange bindings needed.
                endpoint.ConfigureConsumeTopology = false;
                endpoint.UseConsumer<BookingDecisionConsumer>(context);
            }));
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
