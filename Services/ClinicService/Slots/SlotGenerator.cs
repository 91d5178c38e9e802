using System.ComponentModel.DataAnnotations;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Jobs;
using ClinicBooking.ClinicService.Sharding;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;

namespace ClinicBooking.ClinicService.Slots;

public sealed class SlotGenerationOptions
{
    public const string Section = "SlotGeneration";

    /// <summary>How many days ahead, starting today in each clinic's time zone, bookable slots exist.</summary>
    [Range(1, SlotLimits.MaxRangeDays)]
    public int HorizonDays { get; set; } = 14;

    /// <summary>When the recurring job runs (cron, UTC). Hourly by default, so a new template is bookable soon.</summary>
    [Required]
    public string Cron { get; set; } = Hangfire.Cron.Hourly();
}

/// <summary>
/// Materializes booking slots from the doctors' templates. Each clinic-local shift on each date becomes instants
/// with the clinic's IANA zone in NodaTime's tzdb (<see cref="SlotTimes"/>, so 09:00–13:00 stays 09:00–13:00
/// local on both sides of a daylight-saving change): the one time-zone database of the system, which the API
/// also validates zones and shows times with; the shard's PostgreSQL only checks a zone's name and does no
/// zone arithmetic (its tzdata may be older: <c>TimeZoneAgreementTests</c>). Then one INSERT … SELECT a piece
/// skips inactive clinics, doctors and time slots, and <c>ON CONFLICT DO NOTHING</c> leaves every existing slot
/// (free or booked) as it is, so running twice creates nothing the second time.
/// </summary>
public sealed class SlotGenerator(ShardDatabases shards, IOptions<SlotGenerationOptions> options,
    ClinicCache cache, ILogger<SlotGenerator> logger)
{
    public const string RecurringJobId = "generate-booking-slots";

    // Taken by every run, recurring or on demand: one generation per clinic at a time, even with several
    // instances of the cell (Hangfire's lock covers the recurring job, this covers everything). A run waits
    // for it a little (a clinic's generation takes milliseconds) before it reports the clinic busy.
    private const int AdvisoryLockClass = 0x5107_6E4E; // "slot gen"
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(5);

    // A clinic's generation may outlast the connections' default statement limit (ConnectionSettings): the
    // bench's clinic of 1,000 doctors takes about 6 s for 14 days, so about 25 s for the longest range
    // (62 days). It gets a limit of its own, still a limit: the database stops it even if nobody waits.
    private static readonly TimeSpan StatementTimeout = TimeSpan.FromMinutes(2);

    // A row's id (row_no's default, nextval) is drawn before ON CONFLICT looks at it, so a candidate that
    // conflicts would burn an id of the shard's finite space (ClinicIds.RowBits) on every run. The NOT EXISTS
    // filters drop what already exists (same doctor, shift and date) or overlaps an existing slot of the
    // doctor (a slot made by hand) before any id is drawn; ON CONFLICT stays for a slot made concurrently.
    // The shifts' instants come from NodaTime (@time_slot_ids … @ends, one row per time slot and date); the
    // joins check that the clinic's zone and each time slot's hours are still the ones they were computed from.
    private const string Sql = """
        INSERT INTO booking_slots (clinic_id, doctor_id, time_slot_id, date, starts_at, ends_at, created_at, mode, price_amount, price_currency)
        SELECT t.clinic_id, t.doctor_id, t.time_slot_id, span.date, span.starts_at, span.ends_at, now(),
               -- What it offers and costs, by SlotTerms' rule (the doctor's template for the weekday, an every-day one, the shift).
               terms.mode, terms.price_amount, terms.price_currency
          FROM unnest(@time_slot_ids, @dates, @start_times, @end_times, @starts, @ends)
                 AS span(time_slot_id, date, start_time, end_time, starts_at, ends_at)
          JOIN doctor_slots t ON t.clinic_id = @clinic AND t.time_slot_id = span.time_slot_id
          JOIN clinics c ON c.id = t.clinic_id AND c.is_active AND c.time_zone = @time_zone
          JOIN doctors doc ON doc.clinic_id = t.clinic_id AND doc.id = t.doctor_id AND doc.is_active
          JOIN time_slots ts ON ts.clinic_id = t.clinic_id AND ts.id = t.time_slot_id AND ts.is_active
                            AND ts.start_time = span.start_time AND ts.end_time = span.end_time
         CROSS JOIN LATERAL slot_terms(t.clinic_id, t.doctor_id, t.time_slot_id, span.date) terms
         WHERE (t.weekday IS NULL OR t.weekday = extract(isodow FROM span.date))
           AND (@doctor::bigint IS NULL OR t.doctor_id = @doctor)
           AND span.starts_at > now()
           -- Each check is a probe of an index per candidate ("OFFSET 0" keeps it one: PostgreSQL would
           -- otherwise make it an anti join that hashes or sorts every slot of the clinic, which grows with
           -- the clinic, and took seconds a week at 100,000 slots).
           AND NOT EXISTS (
               SELECT 1 FROM booking_slots s
                WHERE s.clinic_id = t.clinic_id AND s.doctor_id = t.doctor_id
                  AND s.time_slot_id = t.time_slot_id AND s.date = span.date
               OFFSET 0)
           AND NOT EXISTS (
               -- A slot lasts at most a day (a shift within one clinic-local day), so only the doctor's slots that
               -- start within two days before this one can overlap it: an index range on (clinic, doctor, start).
               SELECT 1 FROM booking_slots s
                WHERE s.clinic_id = t.clinic_id AND s.doctor_id = t.doctor_id
                  AND s.starts_at > span.starts_at - interval '2 days' AND s.starts_at < span.ends_at
                  AND tstzrange(s.starts_at, s.ends_at) && tstzrange(span.starts_at, span.ends_at)
               OFFSET 0)
           -- Not on a day the clinic marked the doctor away (a sudden absence).
           AND NOT EXISTS (
               SELECT 1 FROM doctor_absences a
                WHERE a.clinic_id = t.clinic_id AND a.doctor_id = t.doctor_id
                  AND a.from_date <= span.date AND a.to_date >= span.date
               OFFSET 0)
        ON CONFLICT DO NOTHING
        """;

    /// <summary>
    /// A range is generated a week at a time, each week its own transaction: a large clinic's 62 days never
    /// hold one long transaction (or its locks) and what is done stays done if the caller goes away; a rerun
    /// creates only what is missing.
    /// </summary>
    public const int DaysPerPiece = 7;

    /// <summary>
    /// The recurring job: every active clinic of every owned shard, the configured horizon. Each clinic
    /// generates on its own, so one clinic's failure is logged with its id and the others go on.
    /// </summary>
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    [AutomaticRetry(Attempts = 3)]
    public async Task<int> GenerateAllAsync(CancellationToken ct)
    {
        var (created, failed) = (0, 0);
        foreach (var shard in shards.Shards)
        {
            await using var db = shards.CreateContext(shard);
            var clinics = await db.Clinics.Where(c => c.IsActive).OrderBy(c => c.Id).Select(c => c.Id).ToListAsync(ct);
            foreach (var clinicId in clinics)
            {
                try
                {
                    created += await GenerateAsync(shard, clinicId, doctorId: null, from: null, to: null, ct) ?? 0;
                }
                catch (Exception ex) when (ex is NpgsqlException && !ct.IsCancellationRequested)
                {
                    failed++;
                    logger.LogError(ex, "Slot generation failed for clinic {ClinicId} of shard {Shard}; the other clinics go on", clinicId, shard);
                }
            }
        }
        logger.LogInformation("Slot generation created {Created} booking slots; {Failed} clinics failed", created, failed);
        return created;
    }

    /// <summary>
    /// Generates for one clinic of a shard; null dates mean "the horizon from today". Returns how many slots it
    /// created, or null when another generation of the clinic held its lock for longer than <see cref="LockWait"/>.
    /// </summary>
    public async Task<int?> GenerateAsync(int shard, long clinicId, long? doctorId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        if (from is not { } start || to is not { } end)
        {
            return await GeneratePieceAsync(shard, clinicId, doctorId, from, to, ct);
        }
        var created = 0;
        for (var pieceStart = start; pieceStart <= end; pieceStart = pieceStart.AddDays(DaysPerPiece))
        {
            var pieceEnd = pieceStart.AddDays(DaysPerPiece - 1) < end ? pieceStart.AddDays(DaysPerPiece - 1) : end;
            if (await GeneratePieceAsync(shard, clinicId, doctorId, pieceStart, pieceEnd, ct) is not { } piece)
            {
                return created > 0 ? created : null;
            }
            created += piece;
        }
        return created;
    }

    private async Task<int?> GeneratePieceAsync(int shard, long clinicId, long? doctorId, DateOnly? from, DateOnly? to, CancellationToken ct)
    {
        await using var connection = await shards.DataSource(shard).OpenConnectionAsync(ct);
        await using var tx = await connection.BeginTransactionAsync(ct);
        await using (var lockCommand = new NpgsqlCommand(
            $"SET LOCAL lock_timeout = '{(int)LockWait.TotalMilliseconds}ms'; SELECT pg_advisory_xact_lock(@class, @clinic)", connection, tx))
        {
            lockCommand.Parameters.AddWithValue("class", AdvisoryLockClass);
            lockCommand.Parameters.AddWithValue("clinic", (int)clinicId); // clinic ids stay below 2^23
            try
            {
                await lockCommand.ExecuteNonQueryAsync(ct);
            }
            catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.LockNotAvailable)
            {
                return null;
            }
        }
        await using (var reset = new NpgsqlCommand(
            $"SET LOCAL lock_timeout = 0; SET LOCAL statement_timeout = '{(int)StatementTimeout.TotalMilliseconds}ms'", connection, tx))
        {
            await reset.ExecuteNonQueryAsync(ct);
        }

        // The clinic's zone, its active time slots' hours and the database's clock (the one clock of the
        // system's rules), read under the clinic's lock.
        string? timeZone = null;
        DateTimeOffset now = default;
        var hours = new List<(long Id, TimeOnly Start, TimeOnly End)>();
        await using (var read = new NpgsqlCommand("""
            SELECT now(), c.time_zone, ts.id, ts.start_time, ts.end_time
              FROM clinics c LEFT JOIN time_slots ts ON ts.clinic_id = c.id AND ts.is_active
             WHERE c.id = @clinic AND c.is_active
            """, connection, tx))
        {
            read.Parameters.AddWithValue("clinic", clinicId);
            await using var reader = await read.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                (now, timeZone) = (reader.GetFieldValue<DateTimeOffset>(0), reader.GetString(1));
                if (!reader.IsDBNull(2))
                {
                    hours.Add((reader.GetInt64(2), reader.GetFieldValue<TimeOnly>(3), reader.GetFieldValue<TimeOnly>(4)));
                }
            }
        }
        if (timeZone is null || hours.Count == 0)
        {
            return 0;
        }
        var today = SlotTimes.Today(timeZone, now);
        var (first, last) = (from ?? today, to ?? today.AddDays(options.Value.HorizonDays - 1));
        var spans = (from date in Enumerable.Range(0, Math.Max(0, last.DayNumber - first.DayNumber + 1)).Select(first.AddDays)
                     from h in hours
                     let instants = SlotTimes.Resolve(date, h.Start, h.End, timeZone)
                     select (h.Id, Date: date, StartTime: h.Start, EndTime: h.End, StartsAt: instants.Start, EndsAt: instants.End)).ToList();

        await using var command = new NpgsqlCommand(Sql, connection, tx);
        command.Parameters.AddWithValue("time_slot_ids", spans.Select(s => s.Id).ToArray());
        command.Parameters.AddWithValue("dates", spans.Select(s => s.Date).ToArray());
        command.Parameters.AddWithValue("start_times", spans.Select(s => s.StartTime).ToArray());
        command.Parameters.AddWithValue("end_times", spans.Select(s => s.EndTime).ToArray());
        command.Parameters.AddWithValue("starts", spans.Select(s => s.StartsAt).ToArray());
        command.Parameters.AddWithValue("ends", spans.Select(s => s.EndsAt).ToArray());
        command.Parameters.AddWithValue("time_zone", timeZone);
        command.Parameters.AddWithValue("clinic", clinicId);
        command.Parameters.Add(new NpgsqlParameter<long?>("doctor", NpgsqlTypes.NpgsqlDbType.Bigint) { TypedValue = doctorId });
        command.CommandTimeout = (int)StatementTimeout.TotalSeconds + 5; // the server's limit answers first
        var created = await command.ExecuteNonQueryAsync(ct);
        await tx.CommitAsync(ct);
        if (created > 0)
        {
            try
            {
                await cache.InvalidateAvailabilityAsync(ct);
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Could not drop cached availability; it expires within {Bound}", ClinicCache.DistributedExpiration);
            }
        }
        return created;
    }
}

public static class SlotGenerationExtensions
{
    /// <summary>
    /// Hangfire, stored in the cell's first shard database (schema <c>hangfire</c>), so each cell schedules
    /// its own shards and several instances of one cell share one schedule and its locks.
    /// </summary>
    public static IHostApplicationBuilder AddSlotGeneration(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SlotGenerationOptions>().BindConfiguration(SlotGenerationOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SlotGenerator>();
        builder.Services.AddHangfire((services, hangfire) =>
        {
            var shards = services.GetRequiredService<ShardDatabases>();
            var connectionString = shards.ConnectionString(shards.Shards.Min());
            hangfire
                .UseSimpleAssemblyNameTypeSerializer()
                .UseRecommendedSerializerSettings()
                .UsePostgreSqlStorage(
                    storage => storage.UseNpgsqlConnection(connectionString),
                    new PostgreSqlStorageOptions { SchemaName = "hangfire", PrepareSchemaIfNecessary = true });
        });
        builder.Services.AddHangfireServer(server =>
        {
            server.WorkerCount = 2; // generation is one statement per shard; more workers would only poll
            server.ServerName = $"{builder.Environment.ApplicationName}-{Environment.MachineName}-{Environment.ProcessId}";
        });
        return builder;
    }

    /// <summary>The Hangfire dashboard (administrators only) and the recurring generation job, run once at start too.</summary>
    public static WebApplication UseSlotGeneration(this WebApplication app)
    {
        app.UseHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new AdministratorsOnly()] });
        return app.ScheduleAndRunAtStart<SlotGenerator>(SlotGenerator.RecurringJobId, g => g.GenerateAllAsync(CancellationToken.None),
            services => services.GetRequiredService<IOptions<SlotGenerationOptions>>().Value.Cron);
    }
}

/// <summary>The dashboard can trigger and delete jobs: administrators only (the request's bearer token says who).</summary>
internal sealed class AdministratorsOnly : Hangfire.Dashboard.IDashboardAuthorizationFilter
{
    public bool Authorize(Hangfire.Dashboard.DashboardContext context) =>
        ClinicBooking.Contracts.Access.Caller.From(Hangfire.Dashboard.AspNetCoreDashboardContextExtensions.GetHttpContext(context).User).IsAdministrator;
}
