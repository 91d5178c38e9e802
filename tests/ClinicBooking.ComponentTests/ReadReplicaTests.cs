using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using ClinicBooking.ClinicService.Availability;
using ClinicBooking.ClinicService.Bookings;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Clinics;
using ClinicBooking.ClinicService.DoctorSlots;
using ClinicBooking.ClinicService.Doctors;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.ClinicService.TimeSlots;
using ClinicBooking.Contracts;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Messages;
using ClinicBooking.Messaging.Outbox;
using ClinicBooking.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// A shard's reads that may be stale, against a real primary and a real streaming replica made by the AppHost's own
/// script (<c>postgres-replica.sh</c>: pg_basebackup, then a hot standby): the cell's <see cref="ReadReplicas"/>
/// routes availability to the replica within the staleness bound, never past it, never for a caller whose own write
/// it has not replayed, and to the primary when the replica is paused past the bound or dead.
/// </summary>
public sealed class ReadReplicaTests : IAsyncLifetime
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    private readonly ScratchPostgres _primary = new();
    private readonly string _replicaDirectory = Directory.CreateTempSubdirectory("clinicbooking-replica-").FullName;
    private Process? _replica;
    private int _replicaPort;
    private string _primaryConnection = null!;
    private ServiceProvider _services = null!;

    public async ValueTask InitializeAsync()
    {
        await _primary.InitializeAsync();
        _primaryConnection = await _primary.CreateDatabaseAsync("clinics");
        _replicaPort = FreePort();
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "postgres", _replicaDirectory);
        }
        await StartReplicaAsync();

        var replicaConnection = new NpgsqlConnectionStringBuilder(_primaryConnection) { Port = _replicaPort, Timeout = 2 }.ConnectionString;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            [$"ConnectionStrings:{ResourceNames.ShardDatabase(0)}"] = _primaryConnection,
            [$"ConnectionStrings:{ResourceNames.ShardReplicaDatabase(0, 0)}"] = replicaConnection,
        }).Build());
        services.AddKeyedSingleton(ResourceNames.ShardDatabase(0), (_, _) => NpgsqlDataSource.Create(_primaryConnection));
        services.AddKeyedSingleton(ResourceNames.ShardReplicaDatabase(0, 0), (_, _) => NpgsqlDataSource.Create(replicaConnection));
        services.Configure<CellOptions>(cell => cell.Shards = [0]);
        services.Configure<ReadReplicaOptions>(options => (options.MaxStaleness, options.PollInterval) = (Bound, TimeSpan.FromMilliseconds(100)));
        services.Configure<SlotGenerationOptions>(_ => { });
        services.Configure<BookingOptions>(options => options.ResponseWait = TimeSpan.Zero);
        services.AddSingleton<ShardDatabases>();
        services.AddSingleton<RecentWrites>();
        services.AddSingleton<ReadReplicas>();
        services.AddMetrics();
        services.AddSingleton<ReplicaMetrics>();
        services.AddSingleton<ReplicaMonitor>();
        services.AddHybridCache();
        services.AddSingleton<ClinicCache>();
        services.AddSingleton<CacheInvalidationQueue>();
        services.AddSingleton<SlotGenerator>();
        services.AddSingleton<BookingOutcomes>();
        // The saga's messages are not sent here: the rows stay in the outbox, which is all a booking's hold needs.
        services.AddSingleton(new OutboxChannel<VerifyCustomer>((_, _) => Task.FromResult(false), TimeSpan.Zero, new NoStamps(), TimeProvider.System));
        services.AddSingleton(new OutboxChannel<BookingStatusChanged>((_, _) => Task.FromResult(false), TimeSpan.Zero, new NoStamps(), TimeProvider.System));
        services.AddSingleton<BookingSaga>();
        _services = services.BuildServiceProvider();
        // Migrated and stamped as shard 0 as a cell does at start.
        await ActivatorUtilities.CreateInstance<ShardMigrator>(_services).StartAsync(Ct);
        await _services.GetRequiredService<ReplicaMonitor>().StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        // The servers go whatever failed before (a start that threw would otherwise leave them running).
        try
        {
            // Null when the start failed before the services were built.
            if ((ServiceProvider?)_services is { } services)
            {
                await using (services)
                {
                    await services.GetRequiredService<ReplicaMonitor>().StopAsync(CancellationToken.None);
                }
            }
        }
        finally
        {
            StopReplica();
            await _primary.DisposeAsync();
            Directory.Delete(_replicaDirectory, recursive: true);
        }
    }

    [Fact]
    public async Task The_person_who_booked_never_sees_their_slot_free_while_others_may_within_the_bound_and_a_paused_replica_is_skipped_past_it()
    {
        var (clinicId, slots) = await ClinicWithSlotsAsync();
        // Once it has replayed the clinic and its slots (within the bound it may serve an answer from before them).
        var replica = await ServingAsync(holding: DateTimeOffset.UtcNow);
        var reads = replica.Reads;

        // Nothing written since: everyone's reads go to the replica.
        Assert.Contains(slots[0], await FreeAsync(clinicId, Anonymous));
        Assert.True(replica.Reads > reads, "The replica served no read.");

        // Replay paused; the patient books (noted as the cell's middleware notes every write).
        await ExecuteOnReplicaAsync("SELECT pg_wal_replay_pause()");
        var saga = _services.GetRequiredService<BookingSaga>();
        await saga.BookAsync(slots[0], customerId: 7, bookedBy: Bookers.Customer, mode: null, idempotencyKey: null, actor: "customer:patient-7", Ct);
        var bookedAt = DateTimeOffset.UtcNow;
        await _services.GetRequiredService<RecentWrites>().RecordAsync("patient-7");

        // The patient never sees the slot free; others may, from the replica, but only within the bound.
        var pausedAt = DateTimeOffset.UtcNow;
        while (DateTimeOffset.UtcNow - pausedAt < Bound + TimeSpan.FromSeconds(1))
        {
            Assert.DoesNotContain(slots[0], await FreeAsync(clinicId, Patient("patient-7")));
            var seenFree = (await FreeAsync(clinicId, Anonymous)).Contains(slots[0]);
            Assert.False(seenFree && DateTimeOffset.UtcNow - pausedAt > Bound + TimeSpan.FromMilliseconds(300),
                "A paused replica served a read past the staleness bound.");
            await Task.Delay(100, Ct);
        }
        Assert.DoesNotContain(slots[0], await FreeAsync(clinicId, Anonymous));
        Assert.DoesNotContain(ReplicaRouting.Views(_services.GetRequiredService<ReadReplicas>(), _services.GetRequiredService<ShardDatabases>(), TimeProvider.System),
            v => v.Serving);

        // Resumed, it catches up and serves again, without the slot.
        await ExecuteOnReplicaAsync("SELECT pg_wal_replay_resume()");
        replica = await ServingAsync(holding: bookedAt);
        reads = replica.Reads;
        // Another page size: an answer the cache does not hold (it holds the primary's, from while the replica was skipped).
        Assert.DoesNotContain(slots[0], await FreeAsync(clinicId, Anonymous, limit: 99));
        Assert.True(replica.Reads > reads, "The caught-up replica served no read.");
    }

    /// <summary>
    /// The primary's position is sampled with a time, and a replica that has replayed it is taken to hold everything
    /// committed by then. A write that commits while the position is being read (a thread delayed between the query
    /// and the clock, as under load) is past that position: the sample's time must not be later than it.
    /// </summary>
    [Fact]
    public async Task A_write_committed_while_the_primarys_position_is_read_is_not_taken_as_replayed()
    {
        var (clinicId, _) = await ClinicWithSlotsAsync();
        await ServingAsync(holding: DateTimeOffset.UtcNow);
        DateTimeOffset? committedAt = null;
        // The monitor's first look at the clock in its round: the replica catches up with the primary and pauses, and
        // then the write commits.
        var clock = new ActsOnNextRead(() =>
        {
            var position = ScalarOn(_primaryConnection, "SELECT pg_current_wal_lsn()::text");
            var replica = ReplicaServerConnection;
            Until(() => ScalarOn(replica, $"SELECT pg_last_wal_replay_lsn() >= '{position}'::pg_lsn") is true);
            ScalarOn(replica, "SELECT pg_wal_replay_pause()");
            Until(() => ScalarOn(replica, "SELECT pg_get_wal_replay_pause_state()") is "paused");
            ScalarOn(_primaryConnection, $"UPDATE clinics SET name = 'Renamed while read' WHERE id = {clinicId}");
            committedAt = DateTimeOffset.UtcNow;
        });
        var replicas = ActivatorUtilities.CreateInstance<ReadReplicas>(_services, (TimeProvider)clock);
        await replicas.CheckAsync(Ct);

        clock.Arm();
        await replicas.CheckAsync(Ct);

        Assert.NotNull(committedAt);
        Assert.Null(replicas.Choose(0, wrote: committedAt));
        // Resumed, it replays the write and serves its writer again.
        await ExecuteOnReplicaAsync("SELECT pg_wal_replay_resume()");
        var until = DateTime.UtcNow.AddSeconds(15);
        while (replicas.Choose(0, wrote: committedAt) is null)
        {
            Assert.True(DateTime.UtcNow < until, "The resumed replica was not chosen for the writer within 15 s.");
            await Task.Delay(100, Ct);
            await replicas.CheckAsync(Ct);
        }
    }

    /// <summary>
    /// A primary at rest just after a record that ended at a WAL page's boundary gives its insert position past the
    /// next page's header, where a replica's replayed position cannot be until something more is written. The
    /// caught-up replica must still count as fresh, and serve, within the bound.
    /// </summary>
    [Fact]
    public async Task A_caught_up_replica_serves_while_the_primary_rests_at_a_page_boundary()
    {
        await ClinicWithSlotsAsync();
        var replicas = _services.GetRequiredService<ReadReplicas>();
        // Anything else written meanwhile (the server's own records) moves the primary off the boundary: then again.
        for (var attempt = 1; ; attempt++)
        {
            var rested = RestAtPageBoundary();
            var until = DateTimeOffset.UtcNow + Bound;
            while (replicas.Choose(0, wrote: rested) is null && DateTimeOffset.UtcNow < until)
            {
                await Task.Delay(50, Ct);
            }
            var stillAtBoundary = InsertPosition() % 8192 == 24;
            if (stillAtBoundary || attempt == 3)
            {
                Assert.True(stillAtBoundary, "The primary never stayed at a page boundary for the length of the test.");
                Assert.NotNull(replicas.Choose(0, wrote: rested));
                return;
            }
        }
    }

    /// <summary>
    /// Writes WAL (non-transactional logical messages) until the primary's last record ends exactly at a page's
    /// boundary; returns when that was.
    /// </summary>
    private DateTimeOffset RestAtPageBoundary()
    {
        const ulong Page = 8192;
        string Emit(ulong length) => $"SELECT pg_logical_emit_message(false, 'rest', repeat('x', {length}))";
        for (var attempt = 0; attempt < 20; attempt++)
        {
            // How many bytes a message takes beyond its text (its header, aligned), measured on this server.
            var before = InsertPosition();
            ScalarOn(_primaryConnection, Emit(1000));
            var overhead = InsertPosition() - before - 1000;
            var left = Page - InsertPosition() % Page;
            if (overhead > 200 || left < overhead + 300)
            {
                continue;   // crossed a page while measuring, or too little room on this one: on to the next page
            }
            ScalarOn(_primaryConnection, Emit(left - overhead));
            if (InsertPosition() % Page == 24)
            {
                return DateTimeOffset.UtcNow;
            }
        }
        throw new InvalidOperationException("The primary's WAL never ended at a page boundary.");
    }

    private ulong InsertPosition() => (ulong)(NpgsqlTypes.NpgsqlLogSequenceNumber)ScalarOn(_primaryConnection, "SELECT pg_current_wal_insert_lsn()")!;

    /// <summary>The system clock, which runs an action once, at the first reading after <see cref="Arm"/>.</summary>
    private sealed class ActsOnNextRead(Action action) : TimeProvider
    {
        private int _armed;

        public void Arm() => Interlocked.Exchange(ref _armed, 1);

        public override DateTimeOffset GetUtcNow()
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                action();
            }
            return base.GetUtcNow();
        }
    }

    private static object? ScalarOn(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    private static void Until(Func<bool> condition)
    {
        var until = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < until, "Not within 15 s.");
            Thread.Sleep(50);
        }
    }

    [Fact]
    public async Task With_the_replica_killed_reads_answer_from_the_primary_and_it_serves_again_once_back()
    {
        var (clinicId, slots) = await ClinicWithSlotsAsync();
        var made = DateTimeOffset.UtcNow;
        await ServingAsync(holding: made);

        StopReplica();
        // At once (the replica fails the read, which goes to the primary), and after the monitor has marked it down.
        Assert.Contains(slots[0], await FreeAsync(clinicId, Anonymous));
        await Task.Delay(TimeSpan.FromMilliseconds(500), Ct);
        Assert.Contains(slots[0], await FreeAsync(clinicId, Anonymous));
        var view = Assert.Single(ReplicaRouting.Views(_services.GetRequiredService<ReadReplicas>(), _services.GetRequiredService<ShardDatabases>(), TimeProvider.System));
        Assert.False(view.Serving);
        Assert.NotNull(view.LastError);

        await StartReplicaAsync();
        var back = await ServingAsync(holding: made);
        var reads = back.Reads;
        Assert.Contains(slots[0], await FreeAsync(clinicId, Anonymous, limit: 99));
        Assert.True(back.Reads > reads, "The replica did not serve again once back.");
    }

    [Fact]
    public async Task A_replica_takes_no_write()
    {
        var replica = Assert.Single(_services.GetRequiredService<ReadReplicas>().Of(0));
        await using var db = replica.Factory.CreateDbContext();
        db.Clinics.Add(new ClinicBooking.ClinicService.Data.Clinic { Name = "Never", TimeZone = "Europe/Berlin", CreatedAt = DateTimeOffset.UtcNow });
        await Assert.ThrowsAsync<InvalidOperationException>(() => db.SaveChangesAsync(Ct));
        // And the server itself refuses one that got past the context.
        var refused = await Assert.ThrowsAsync<PostgresException>(() => ExecuteOnReplicaAsync("CREATE TABLE never (x int)"));
        Assert.Equal(PostgresErrorCodes.ReadOnlySqlTransaction, refused.SqlState);
    }

    private static ClaimsPrincipal Anonymous => new(new ClaimsIdentity());

    private static ClaimsPrincipal Patient(string subject) => new(new ClaimsIdentity(
        [new Claim(ClaimNames.Subject, subject), new Claim(ClaimNames.Role, Roles.Customer)], "test"));

    /// <summary>The clinic's free slot ids, as its availability answers <paramref name="user"/>.</summary>
    private async Task<List<long>> FreeAsync(long clinicId, ClaimsPrincipal user, int limit = 100)
    {
        var shard = new ShardScope(_services.GetRequiredService<ShardDatabases>());
        await using var _ = shard;
        shard.EnterShard(0);
        var cell = new AvailabilityApi.CellServices(_services.GetRequiredService<ShardDatabases>(), _services.GetRequiredService<ReadReplicas>(),
            _services.GetRequiredService<ClinicCache>(), TimeProvider.System, user);
        var page = (await AvailabilityApi.ClinicAvailability(new ClinicAvailabilityQuery(clinicId, null, null, null, null, null, null, limit), shard, cell, Ct)).Value!;
        return [.. page.Items.Select(s => s.Id)];
    }

    /// <summary>A clinic with a doctor and tomorrow's slots, made through the cell's own handlers and generator.</summary>
    private async Task<(long ClinicId, List<long> Slots)> ClinicWithSlotsAsync()
    {
        var shards = _services.GetRequiredService<ShardDatabases>();
        async Task<T> InShardAsync<T>(Func<ShardServices, Task<T>> work)
        {
            await using var scope = new ShardScope(shards);
            return await work(new ShardServices(scope, TimeProvider.System));
        }
        var clinic = await InShardAsync(async s => (await ClinicsApi.CreateClinic(0, new ClinicRequest("Replica Clinic", "Europe/Berlin", null), s, Ct)).Value!);
        var doctor = await InShardAsync(async s =>
        {
            s.Shard.Enter(clinic.Id, scoped: false, ClinicBooking.ClinicService.Data.Missing.Clinic);
            return (await DoctorsApi.CreateDoctor(clinic.Id, new DoctorRequest("Dr Rita Replica", "Cardiology"), s, Ct)).Value!;
        });
        var shift = await InShardAsync(async s =>
        {
            s.Shard.Enter(clinic.Id, scoped: false, ClinicBooking.ClinicService.Data.Missing.Clinic);
            return (await TimeSlotsApi.CreateTimeSlot(clinic.Id, new TimeSlotRequest("Morning", "09:00", "10:00"), s, Ct)).Value!;
        });
        await InShardAsync(async s =>
        {
            s.Shard.Enter(doctor.Id, scoped: true, ClinicBooking.ClinicService.Data.Missing.Doctor);
            return (await DoctorSlotsApi.CreateDoctorSlot(doctor.Id, new DoctorSlotRequest(shift.Id, null), s, Ct)).Value!;
        });
        var tomorrow = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
        await _services.GetRequiredService<SlotGenerator>().GenerateAsync(0, clinic.Id, null, tomorrow, tomorrow.AddDays(1), Ct);
        await using var db = shards.CreateContext(0);
        var slots = await db.BookingSlots.Where(s => s.ClinicId == clinic.Id).OrderBy(s => s.StartsAt).Select(s => s.Id).ToListAsync(Ct);
        Assert.NotEmpty(slots);
        return (clinic.Id, slots);
    }

    /// <summary>
    /// The replica, once it serves (up, within the bound) and, when <paramref name="holding"/> is given, holds what
    /// was written before then: what the monitor says within 15 s.
    /// </summary>
    private async Task<ReplicaState> ServingAsync(DateTimeOffset? holding = null)
    {
        var replicas = _services.GetRequiredService<ReadReplicas>();
        var until = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            if (replicas.Choose(0, holding) is { } serving)
            {
                return serving;
            }
            Assert.True(DateTime.UtcNow < until, $"The replica did not serve within 15 s: {Assert.Single(replicas.Of(0)).LastError}");
            await Task.Delay(100, Ct);
        }
    }

    /// <summary>The replica server itself (its database <c>postgres</c>, unpooled), for commands to it.</summary>
    private string ReplicaServerConnection =>
        new NpgsqlConnectionStringBuilder(_primaryConnection) { Port = _replicaPort, Database = "postgres", Pooling = false }.ConnectionString;

    private async Task ExecuteOnReplicaAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ReplicaServerConnection);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    /// <summary>The AppHost's replica script, as the AppHost runs it: the first start copies the primary, a later one resumes.</summary>
    private async Task StartReplicaAsync()
    {
        var script = Path.Combine(RepositoryRoot(), "AppHost", "Infrastructure", "scripts", "postgres-replica.sh");
        var start = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(script);
        start.Environment["PG_DATA"] = Path.Combine(_replicaDirectory, "data");
        start.Environment["PG_PORT"] = _replicaPort.ToString();
        start.Environment["PRIMARY_PORT"] = new NpgsqlConnectionStringBuilder(_primaryConnection).Port.ToString();
        start.Environment["REPLICATION_USER"] = "postgres";
        start.Environment["REPLICATION_PASSWORD"] = "unused-trust";
        start.Environment["REPLICA_NAME"] = "component-replica";
        _replica = Process.Start(start)!;
        _replica.OutputDataReceived += (_, _) => { };
        _replica.ErrorDataReceived += (_, _) => { };
        _replica.BeginOutputReadLine();
        _replica.BeginErrorReadLine();
        var until = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await ExecuteOnReplicaAsync("SELECT 1");
                return;
            }
            catch (NpgsqlException) when (DateTime.UtcNow < until && !_replica.HasExited)
            {
                await Task.Delay(200, Ct);
            }
        }
    }

    /// <summary>Kills the replica outright (its server and the script), as a crash would.</summary>
    private void StopReplica()
    {
        if (_replica is { HasExited: false })
        {
            var pidFile = Path.Combine(_replicaDirectory, "data", "postmaster.pid");
            if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).First(), out var postmaster))
            {
                try
                {
                    Process.GetProcessById(postmaster).Kill(entireProcessTree: true);
                }
                catch (ArgumentException)
                {
                    // Already gone.
                }
            }
            _replica.Kill(entireProcessTree: true);
            _replica.WaitForExit();
        }
        NpgsqlConnection.ClearAllPools();
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClinicBooking.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (ClinicBooking.sln) was not found.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program);
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        await process.WaitForExitAsync();
    }

    private sealed class NoStamps : IOutboxStamps
    {
        public void Confirmed(int database, long rowId) { }
    }
}
