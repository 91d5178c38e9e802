using Microsoft.Extensions.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace ClinicBooking.ClinicService.Infrastructure;

/// <summary>Which shards this cell serves: <c>Cell:Shards</c>, each with connection string <c>shard-N</c>.</summary>
public sealed class CellOptions
{
    public const string Section = "Cell";

    public List<int> Shards { get; set; } = [];

    /// <summary>The cell's name (its resource name in the AppHost); names its message queues.</summary>
    public string Name { get; set; } = "clinicservice";
}

/// <summary>
/// The shard databases this cell owns, one pooled DbContext factory each. A request finds its shard from
/// the id it carries (<see cref="ClinicIds"/>); an id whose shard this cell does not own is simply unknown.
/// </summary>
public sealed class ShardDatabases : IAsyncDisposable
{
    private readonly Dictionary<int, (string ConnectionString, NpgsqlDataSource DataSource, PooledDbContextFactory<ClinicDbContext> Factory)> _shards = [];

    public ShardDatabases(IConfiguration configuration, ILoggerFactory loggerFactory, Microsoft.Extensions.Caching.Hybrid.HybridCache cache)
    {
        var options = configuration.GetSection(CellOptions.Section).Get<CellOptions>() ?? new CellOptions();
        if (options.Shards.Count == 0)
        {
            throw new InvalidOperationException($"{CellOptions.Section}:Shards names no shard; a cell must own at least one.");
        }
        var invalidation = new CacheInvalidationInterceptor(cache);
        foreach (var shard in options.Shards.Distinct())
        {
            var name = ResourceNames.ShardDatabase(shard);
            var connectionString = configuration.GetConnectionString(name)
                ?? throw new InvalidOperationException($"Shard {shard} has no connection string '{name}'.");
            var dataSourceBuilder = new NpgsqlDataSourceBuilder(connectionString).UseLoggerFactory(loggerFactory);
            dataSourceBuilder.ConnectionStringBuilder.WithReusedSessions();
            // A command's span already shows its duration; a "first response" event on every one of them says
            // little more, and the dashboard stored one for every third span of a booking.
            dataSourceBuilder.ConfigureTracing(tracing => tracing.EnableFirstResponseEvent(false));
            var dataSource = dataSourceBuilder.Build();
            var contextOptions = new DbContextOptionsBuilder<ClinicDbContext>()
                .UseNpgsql(dataSource)
                .UseSnakeCaseNamingConvention()
                .UseLoggerFactory(loggerFactory)
                .AddInterceptors(invalidation)
                .Options;
            _shards[shard] = (connectionString, dataSource, new PooledDbContextFactory<ClinicDbContext>(contextOptions));
        }
    }

    public IReadOnlyCollection<int> Shards => _shards.Keys;

    public bool Owns(int shard) => _shards.ContainsKey(shard);

    public ClinicDbContext CreateContext(int shard) => _shards[shard].Factory.CreateDbContext();

    public NpgsqlDataSource DataSource(int shard) => _shards[shard].DataSource;

    public string ConnectionString(int shard) => _shards[shard].ConnectionString;

    /// <summary>A context for the shard that owns <paramref name="clinicId"/>, or null when this cell does not.</summary>
    public ClinicDbContext? ForClinic(long clinicId) =>
        ClinicIds.ShardOf(clinicId, scoped: false) is { } shard && Owns(shard) ? CreateContext(shard) : null;

    /// <summary>A context for the shard that owns the clinic-scoped id, or null when this cell does not.</summary>
    public ClinicDbContext? ForScopedId(long id) =>
        ClinicIds.ShardOf(id, scoped: true) is { } shard && Owns(shard) ? CreateContext(shard) : null;

    public async ValueTask DisposeAsync()
    {
        foreach (var (_, dataSource, _) in _shards.Values)
        {
            await dataSource.DisposeAsync();
        }
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
            await PostgresDatabase.EnsureExistsAsync(shards.ConnectionString(shard), cancellationToken);
            await db.Database.CreateMigrationsHistoryAsync(cancellationToken);
            await db.Database.MigrateAsync(cancellationToken);
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

/// <summary>Lets `dotnet ef migrations add` build the model without a running database.</summary>
public sealed class DesignTimeClinicDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<ClinicDbContext>
{
    public ClinicDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ClinicDbContext>()
            .UseNpgsql("Host=localhost;Database=clinics")
            .UseSnakeCaseNamingConvention()
            .Options);
}
