using System.ComponentModel.DataAnnotations;
using ClinicBooking.ClinicService.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClinicBooking.ClinicService.Sharding;

/// <summary>Which shards this cell serves: <c>Cell:Shards</c>, each with connection string <c>shard-N</c>.</summary>
public sealed class CellOptions
{
    public const string Section = "Cell";

    [MinLength(1, ErrorMessage = "Cell:Shards names no shard; a cell must own at least one.")]
    public List<int> Shards { get; set; } = [];

    /// <summary>The cell's name (its resource name in the AppHost); names its message queues.</summary>
    [Required]
    public string Name { get; set; } = "clinicservice";

    /// <summary>Below this share of a shard's row or clinic ids left, its health turns degraded (see <see cref="IdHeadroom"/>).</summary>
    [Range(0, 100)]
    public double IdsLeftWarningPercent { get; set; } = 10;
}

/// <summary>
/// The shard databases this cell owns: each one's data source (the Aspire Npgsql client, keyed by its
/// connection name) and a pooled DbContext factory on it. A request finds its shard from the id it carries
/// (<see cref="ClinicIds"/>); an id whose shard this cell does not own is simply unknown.
/// </summary>
public sealed class ShardDatabases
{
    private readonly Dictionary<int, (NpgsqlDataSource DataSource, PooledDbContextFactory<ClinicDbContext> Factory, string ConnectionString)> _shards = [];

    public ShardDatabases(IOptions<CellOptions> cell, IServiceProvider services, IConfiguration configuration, ILoggerFactory loggerFactory)
    {
        // Interceptors other concerns add (the cache's invalidation on save), without this core knowing them.
        var interceptors = services.GetServices<IInterceptor>().ToArray();
        foreach (var shard in cell.Value.Shards.Distinct())
        {
            var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(ResourceNames.ShardDatabase(shard));
            var options = new DbContextOptionsBuilder<ClinicDbContext>()
                .UseNpgsql(dataSource)
                .UseSnakeCaseNamingConvention()
                .UseLoggerFactory(loggerFactory)
                .AddInterceptors(interceptors)
                .Options;
            _shards[shard] = (dataSource, new PooledDbContextFactory<ClinicDbContext>(options),
                configuration.GetConnectionString(ResourceNames.ShardDatabase(shard))!);
        }
    }

    public IReadOnlyCollection<int> Shards => _shards.Keys;

    public bool Owns(int shard) => _shards.ContainsKey(shard);

    public ClinicDbContext CreateContext(int shard) => _shards[shard].Factory.CreateDbContext();

    /// <summary>The shards' EF Core model (one for every shard; EF Core builds it once per process).</summary>
    public Microsoft.EntityFrameworkCore.Metadata.IModel Model()
    {
        using var db = CreateContext(_shards.Keys.First());
        return db.Model;
    }

    public NpgsqlDataSource DataSource(int shard) => _shards[shard].DataSource;

    /// <summary>The shard's connection string as configured (with its password, which a data source's hides).</summary>
    public string ConnectionString(int shard) => _shards[shard].ConnectionString;

    /// <summary>The shard of a clinic id (or, with <paramref name="scoped"/>, of a clinic-scoped id), if this cell owns it.</summary>
    public int? OwnedShardOf(long id, bool scoped) =>
        ClinicIds.ShardOf(id, scoped) is { } shard && Owns(shard) ? shard : null;
}

public static class ShardingExtensions
{
    /// <summary>
    /// The cell's shard databases: a data source per owned shard from the Aspire Npgsql client integration
    /// (telemetry; its health check is off, as <see cref="ShardsHealthCheck"/> also checks each shard's
    /// stamp), migrated before the cell serves requests, and the per-request <see cref="ShardScope"/>.
    /// </summary>
    public static IHostApplicationBuilder AddSharding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<CellOptions>().BindConfiguration(CellOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var cell = builder.Configuration.GetSection(CellOptions.Section).Get<CellOptions>() ?? new CellOptions();
        foreach (var shard in cell.Shards.Distinct())
        {
            builder.AddKeyedNpgsqlDataSource(ResourceNames.ShardDatabase(shard),
                settings =>
                {
                    settings.DisableHealthChecks = true;
                    settings.ConnectionString = ConnectionSettings.ForServices(settings.ConnectionString
                        ?? throw new InvalidOperationException($"Shard {shard} has no connection string '{ResourceNames.ShardDatabase(shard)}'."));
                },
                // A command's span already shows its duration; a "first response" event on every one of them
                // says little more, and the dashboard stored one for every third span of a booking.
                dataSource => dataSource.ConfigureTracing(tracing => tracing.EnableFirstResponseEvent(false)));
        }
        builder.Services.AddSingleton<ShardDatabases>();
        builder.AddReadReplicas(cell.Shards.Distinct());
        builder.Services.AddScoped<ShardScope>();
        builder.Services.AddSingleton<IdHeadroom>();
        builder.Services.AddHostedService<ShardMigrator>();
        builder.Services.AddHealthChecks().AddCheck<ShardsHealthCheck>("shards");
        builder.AddConstraintProblems(new Dictionary<string, string>
        {
            [ClinicDbContext.UniqueActiveTimeSlotName] = "The clinic already has an active time slot with this name.",
            [ClinicDbContext.UniqueDoctorSlot] = "The doctor already has this time slot on this weekday.",
            ["fk_doctor_slots_active_doctor"] = "The doctor is not active.",
            ["fk_doctor_slots_active_time_slot"] = "The time slot is not active.",
            ["fk_doctors_active_clinic"] = "The clinic is not active.",
            ["fk_time_slots_active_clinic"] = "The clinic is not active.",
            [ShardSchema.ActiveDoctorConstraint] = "The doctor has future booking slots, or is not active.",
            [ShardSchema.ActiveTimeSlotConstraint] = "The time slot has future booking slots, or is not active.",
            [ShardSchema.OverlapConstraint] = "The doctor already has a booking slot at an overlapping time.",
            [ClinicDbContext.UniqueBookingSlot] = "The doctor already has a booking slot for this time slot on this date.",
            [ShardSchema.TimeZoneIsIana] = "The time zone is not an IANA time zone name.",
            [ShardSchema.TimeZoneFixedWhileSlots] = "The clinic's time zone cannot change while it has future booking slots: remove them first.",
            [ShardSchema.HoursFixedWhileSlots] = "The time slot's hours cannot change while it has future booking slots: remove them first.",
        });
        return builder;
    }
}

/// <summary>
/// Migrates every shard the cell owns before it serves requests, and stamps each with its shard number;
/// a database already stamped with another number is refused, so a mis-wired cell fails at start instead
/// of handing out ids that route elsewhere.
/// </summary>
public sealed class ShardMigrator(ShardDatabases shards, ILogger<ShardMigrator> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var shard in shards.Shards)
        {
            await using var db = shards.CreateContext(shard);
            await PostgresDatabase.MigrateAsync(db, shards.ConnectionString(shard), logger, cancellationToken);
            await db.Database.ExecuteSqlAsync(
                $"INSERT INTO shard_identity (shard) VALUES ({shard}) ON CONFLICT (singleton) DO NOTHING", cancellationToken);
            var stamped = await db.Database.SqlQuery<int>($"SELECT shard AS \"Value\" FROM shard_identity").SingleAsync(cancellationToken);
            if (stamped != shard)
            {
                throw new InvalidOperationException(
                    $"The database configured as shard {shard} is stamped as shard {stamped}; fix Cell:Shards or the connection string.");
            }
            logger.LogInformation("Shard {Shard} is migrated and ready", shard);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
