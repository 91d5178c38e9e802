using System.ComponentModel.DataAnnotations;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ServiceDefaults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace ClinicBooking.ClinicService.Sharding;

/// <summary>The read replicas' settings (section <c>ReadReplicas</c>).</summary>
public sealed class ReadReplicaOptions : IValidatableObject
{
    public const string Section = "ReadReplicas";

    /// <summary>
    /// How old a replica's data may be and still serve reads; an older one is skipped until it catches up. At most
    /// <see cref="RecentWrites.Window"/>: a writer's reads skip replicas without their write only while the write is
    /// remembered, so a longer bound could then show them a replica that has not replayed it.
    /// </summary>
    public TimeSpan MaxStaleness { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the primary's and each replica's positions are read (what staleness is measured by).</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:00:10")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(250);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MaxStaleness < TimeSpan.FromMilliseconds(100) || MaxStaleness > RecentWrites.Window)
        {
            yield return new ValidationResult(
                $"{Section}:{nameof(MaxStaleness)} must be between 0.1 s and {RecentWrites.Window.TotalSeconds} s (how long a write is remembered for read-your-writes), not {MaxStaleness}.",
                [nameof(MaxStaleness)]);
        }
    }
}

/// <summary>One replica of a shard as this cell sees it, for the read routing and for operators.</summary>
public sealed class ReplicaState(string name, NpgsqlDataSource dataSource, PooledDbContextFactory<ClinicDbContext> factory)
{
    public string Name { get; } = name;

    public NpgsqlDataSource DataSource { get; } = dataSource;

    public PooledDbContextFactory<ClinicDbContext> Factory { get; } = factory;

    /// <summary>Whether its last check answered, as a standby.</summary>
    public bool Up { get; internal set; }

    /// <summary>What it has replayed of the primary's log.</summary>
    public NpgsqlLogSequenceNumber? ReplayLsn { get; internal set; }

    /// <summary>
    /// The newest moment of the primary it is known to hold all of: the time of the newest primary position it has
    /// replayed. Its staleness is now minus this.
    /// </summary>
    public DateTimeOffset FreshAsOf { get; internal set; } = DateTimeOffset.MinValue;

    public string? LastError { get; internal set; }

    public DateTimeOffset CheckedAt { get; internal set; }

    private long _reads;

    /// <summary>How many reads it served.</summary>
    public long Reads => Interlocked.Read(ref _reads);

    internal void Served() => Interlocked.Increment(ref _reads);
}

/// <summary>
/// Where a read that may be stale goes: a replica of its shard that is fresh enough, or the primary. A replica
/// serves when it answered its last check, its data is at most <see cref="ReadReplicaOptions.MaxStaleness"/> old,
/// and, for a caller who has just written (<see cref="RecentWrites"/>), it holds their write (read-your-writes); among
/// those, the least used. Staleness is measured against the primary's own log: the primary's position is sampled
/// every <see cref="ReadReplicaOptions.PollInterval"/> with its time, and a replica holds the primary as of the
/// newest sample it has replayed. Everything that decides (holds, bookings, cancels, generation) never comes
/// here: it uses <see cref="ShardDatabases"/>, the primaries.
/// </summary>
public sealed class ReadReplicas
{
    private readonly Dictionary<int, List<ReplicaState>> _replicas = [];
    private readonly Dictionary<int, PrimarySamples> _primaries = [];
    private readonly RecentWrites _writes;
    private readonly ShardDatabases _shards;
    private readonly TimeProvider _clock;
    private readonly ILogger<ReadReplicas> _logger;

    public ReadReplicas(ShardDatabases shards, RecentWrites writes, IServiceProvider services, IOptions<ReadReplicaOptions> options, TimeProvider clock,
        ILogger<ReadReplicas> logger)
    {
        (_shards, _writes, _clock, _logger, Options) = (shards, writes, clock, logger, options.Value);
        foreach (var shard in shards.Shards)
        {
            _primaries[shard] = new PrimarySamples();
            _replicas[shard] = [.. ReplicaNames(services.GetRequiredService<IConfiguration>(), shard).Select(name =>
            {
                var dataSource = services.GetRequiredKeyedService<NpgsqlDataSource>(name);
                var factory = new PooledDbContextFactory<ClinicDbContext>(new DbContextOptionsBuilder<ClinicDbContext>()
                    .UseNpgsql(dataSource).UseSnakeCaseNamingConvention()
                    .UseQueryTrackingBehavior(QueryTrackingBehavior.NoTracking)
                    .AddInterceptors(ReadOnly.Instance).Options);
                return new ReplicaState(name, dataSource, factory);
            })];
        }
    }

    public ReadReplicaOptions Options { get; }

    /// <summary>The connection names of shard <paramref name="shard"/>'s replicas this cell is given (<c>shard-N-replica-0</c>, …).</summary>
    public static IEnumerable<string> ReplicaNames(IConfiguration configuration, int shard)
    {
        for (var replica = 0; configuration.GetConnectionString(ResourceNames.ShardReplicaDatabase(shard, replica)) is not null; replica++)
        {
            yield return ResourceNames.ShardReplicaDatabase(shard, replica);
        }
    }

    public IReadOnlyList<ReplicaState> Of(int shard) => _replicas.GetValueOrDefault(shard) ?? [];

    /// <summary>
    /// The replica a read of <paramref name="shard"/> should use now, or null for the primary: up, fresh within the
    /// bound, and holding the caller's write if they made one at <paramref name="wrote"/>; the least used of those.
    /// </summary>
    public ReplicaState? Choose(int shard, DateTimeOffset? wrote = null)
    {
        var replicas = Of(shard);
        if (replicas.Count == 0)
        {
            return null;
        }
        var now = _clock.GetUtcNow();
        return replicas
            .Where(r => r.Up && now - r.FreshAsOf <= Options.MaxStaleness && (wrote is null || r.FreshAsOf >= wrote))
            .MinBy(r => r.Reads);
    }

    /// <summary>
    /// Where a read of <paramref name="shards"/> that may be stale goes for <paramref name="subject"/>: each shard's
    /// replica (null: the primary), whether the answer may come from (and go to) the cache, and for how long an
    /// answer built from replicas may be cached so that, with their staleness, it is never older than the bound.
    /// A caller who has just written skips the cache: an answer cached from a replica before it held their write
    /// would hide it.
    /// </summary>
    public async Task<StaleReadPlan> PlanAsync(IReadOnlyCollection<int> shards, string? subject)
    {
        var wrote = await _writes.LastAsync(subject);
        var now = _clock.GetUtcNow();
        var sources = shards.ToDictionary(shard => shard, shard => Choose(shard, wrote));
        var fromReplicas = sources.Values.OfType<ReplicaState>().ToList();
        TimeSpan? cacheFor = fromReplicas.Count == 0 ? null
            : fromReplicas.Min(r => r.FreshAsOf + Options.MaxStaleness - now) is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        return new StaleReadPlan(sources, cacheFor, SkipCache: wrote is not null);
    }

    /// <summary>
    /// A read of one shard that may be stale, through the cache as the plan allows: <paramref name="cached"/> is the
    /// cache's lookup (given the read and how long its answer may stay), used unless the caller has just written.
    /// </summary>
    public async Task<T> ReadThroughAsync<T>(int shard, string? subject,
        Func<Func<CancellationToken, ValueTask<T>>, TimeSpan?, ValueTask<T>> cached,
        Func<ClinicDbContext, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        var plan = await PlanAsync([shard], subject);
        async ValueTask<T> ReadOnce(CancellationToken token) => await ReadAsync(shard, plan.Sources[shard], read, token);
        return plan.Cacheable ? await cached(ReadOnce, plan.CacheFor) : await ReadOnce(ct);
    }

    /// <summary>
    /// Runs a read that may be stale on <paramref name="replica"/> (from <see cref="Choose"/>), or on the primary when
    /// there is none; a replica that fails is marked down and the read runs on the primary.
    /// </summary>
    public async Task<T> ReadAsync<T>(int shard, ReplicaState? replica, Func<ClinicDbContext, CancellationToken, Task<T>> read, CancellationToken ct)
    {
        if (replica is not null)
        {
            try
            {
                await using var db = replica.Factory.CreateDbContext();
                var value = await read(db, ct);
                replica.Served();
                return value;
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException || e.InnerException is NpgsqlException)
            {
                replica.Up = false;
                replica.LastError = e.Message;
                _logger.LogWarning(e, "Replica {Replica} failed a read; it is skipped until it answers again, and the read goes to the primary.", replica.Name);
            }
        }
        await using var primary = _shards.CreateContext(shard);
        return await read(primary, ct);
    }

    /// <summary>Reads the primaries' positions and each replica's replay position once (the monitor's round).</summary>
    public async Task CheckAsync(CancellationToken ct)
    {
        foreach (var (shard, replicas) in _replicas.Where(r => r.Value.Count > 0))
        {
            try
            {
                // The time first, then the position: whatever committed by that time is at or before the position
                // read after it, so a replica that has replayed the position holds all of it. (The other way round, a
                // write committing between the query and the clock would be taken as held.) The insert position, not
                // the write position: a commit without synchronous_commit returns before its record is written.
                var at = _clock.GetUtcNow();
                await using var command = _shards.DataSource(shard).CreateCommand("SELECT pg_current_wal_insert_lsn()");
                var lsn = (NpgsqlLogSequenceNumber)(await command.ExecuteScalarAsync(ct))!;
                _primaries[shard].Add(at, EndOfRecords(lsn));
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException)
            {
                // Without the primary's position, staleness cannot be told: no replica serves until it is back.
                _logger.LogWarning(e, "The primary of shard {Shard} did not give its position.", shard);
                continue;
            }
            await Task.WhenAll(replicas.Select(replica => CheckReplicaAsync(shard, replica, ct)));
        }
    }

    private async Task CheckReplicaAsync(int shard, ReplicaState replica, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            await using var command = replica.DataSource.CreateCommand("SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()");
            await using var reader = await command.ExecuteReaderAsync(timeout.Token);
            await reader.ReadAsync(timeout.Token);
            if (!reader.GetBoolean(0) || reader.IsDBNull(1))
            {
                (replica.Up, replica.LastError) = (false, "not a standby: it takes writes, so it is never read from");
                return;
            }
            var replayed = reader.GetFieldValue<NpgsqlLogSequenceNumber>(1);
            (replica.ReplayLsn, replica.FreshAsOf, replica.Up, replica.LastError) = (replayed, _primaries[shard].FreshAsOf(replayed), true, null);
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            (replica.Up, replica.LastError) = (false, e.Message);
        }
        finally
        {
            replica.CheckedAt = _clock.GetUtcNow();
        }
    }

    private const ulong WalPage = 8192, ShortPageHeader = 24, LongPageHeader = 40, WalSegment = 16 * 1024 * 1024;

    /// <summary>
    /// The insert position as a replica's replayed position would name it. When the last record ended at a page's
    /// boundary, PostgreSQL gives the insert position past the next page's header (24 bytes, 40 at a segment's start),
    /// while a replica that has replayed that record names the boundary itself: taken as it is, the replica would
    /// look behind until the next write. No record ends inside a header, so the boundary means the same.
    /// (Segments of the default 16 MB; with others, a segment's start waits for the next write.)
    /// </summary>
    public static NpgsqlLogSequenceNumber EndOfRecords(NpgsqlLogSequenceNumber insert)
    {
        var position = (ulong)insert;
        return position % WalPage == ShortPageHeader ? new(position - ShortPageHeader)
            : position % WalSegment == LongPageHeader ? new(position - LongPageHeader)
            : insert;
    }

    /// <summary>The primary's positions of the last minute, with when each was read.</summary>
    private sealed class PrimarySamples
    {
        private readonly Queue<(DateTimeOffset At, NpgsqlLogSequenceNumber Lsn)> _samples = new();
        private readonly Lock _lock = new();

        public void Add(DateTimeOffset at, NpgsqlLogSequenceNumber lsn)
        {
            lock (_lock)
            {
                _samples.Enqueue((at, lsn));
                while (_samples.Count > 1 && _samples.Peek().At < at - TimeSpan.FromMinutes(1))
                {
                    _samples.Dequeue();
                }
            }
        }

        /// <summary>The time of the newest sample at or before <paramref name="replayed"/>: the replica holds the primary as of then.</summary>
        public DateTimeOffset FreshAsOf(NpgsqlLogSequenceNumber replayed)
        {
            lock (_lock)
            {
                return _samples.Where(s => s.Lsn <= replayed).Select(s => s.At).DefaultIfEmpty(DateTimeOffset.MinValue).Max();
            }
        }
    }
}

/// <summary>
/// A replica's contexts refuse to save, before anything reaches the server (which, a standby, would refuse too): a
/// write given a replica's context is a bug, said at once and in one place.
/// </summary>
public sealed class ReadOnly : Microsoft.EntityFrameworkCore.Diagnostics.SaveChangesInterceptor
{
    public static readonly ReadOnly Instance = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result) =>
        throw new InvalidOperationException("A read replica's context was asked to save: writes go to the shard's primary (ShardDatabases).");

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default) =>
        throw new InvalidOperationException("A read replica's context was asked to save: writes go to the shard's primary (ShardDatabases).");
}

/// <summary>
/// A read's sources (per shard, a replica or null for the primary), how long its answer may be cached (null: as
/// long as any; zero: not at all), and whether the caller must skip the cache (they wrote within the bound).
/// </summary>
public sealed record StaleReadPlan(IReadOnlyDictionary<int, ReplicaState?> Sources, TimeSpan? CacheFor, bool SkipCache)
{
    public bool Cacheable => !SkipCache && CacheFor != TimeSpan.Zero;
}

/// <summary>
/// Reads each replica's position every <see cref="ReadReplicaOptions.PollInterval"/>. It is what the replicas'
/// metrics measure, so it creates them as it starts.
/// </summary>
public sealed class ReplicaMonitor(ReadReplicas replicas, ReplicaMetrics metrics, ILogger<ReplicaMonitor> logger) : BackgroundService
{
    public ReplicaMetrics Metrics { get; } = metrics;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(replicas.Options.PollInterval);
        do
        {
            try
            {
                await replicas.CheckAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogWarning(e, "Checking the read replicas failed; trying again.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
