using System.Diagnostics;
using ClinicBooking.ClinicService.Availability;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

// What anyone can ask of a shard, as the shard grows (issue 26, finding 8). One shard database with 10 clinics of
// 100 doctors each, every doctor on 8 one-hour shifts a day, seeded to each size in turn; at each size it times
// the cell's own read (AvailabilityApi.ReadShardAsync, what search and next run per shard, below the caches)
// and its own generator (SlotGenerator.GenerateAsync, what POST /availability/createBookingSlots runs), alone
// and with 8 callers at once, and prints p50/p99 and failures. The cell's connection settings apply (its
// statement time limit included), so a query that would time out in the cell fails here too; the gateway
// gives a cell 5 s to answer a search, so anything near that would be a failed answer there.
// Usage: GrowthBench "<connection string>" [sizes, e.g. 100000,1000000] [seconds per measurement]
var connectionString = args.Length > 0 ? args[0] : throw new ArgumentException("Pass a connection string to an empty database.");
var sizes = (args.Length > 1 ? args[1] : "100000,1000000").Split(',').Select(int.Parse).ToArray();
var seconds = args.Length > 2 ? double.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 10;
const int Clinics = 10, DoctorsPerClinic = 100, Shifts = 8, Specializations = 20;
const string TimeZone = "Europe/Berlin";

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Cell:Shards:0"] = "0",
    [$"ConnectionStrings:{ResourceNames.ShardDatabase(0)}"] = connectionString,
});
builder.AddSharding();
builder.Services.AddLogging().AddHybridCache();
builder.Services.AddSingleton<ClinicCache>().AddSingleton<SlotGenerator>().AddOptions<SlotGenerationOptions>();
using var services = builder.Build();
await ActivatorUtilities.CreateInstance<ShardMigrator>(services.Services).StartAsync(CancellationToken.None);
var shards = services.Services.GetRequiredService<ShardDatabases>();
var generator = services.Services.GetRequiredService<SlotGenerator>();
var dataSource = new NpgsqlDataSourceBuilder(connectionString).Build();

async Task<long> ScalarAsync(string sql, params object[] parameters)
{
    await using var command = dataSource.CreateCommand(sql);
    command.CommandTimeout = 1800;
    foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
    return Convert.ToInt64(await command.ExecuteScalarAsync() ?? 0L);
}

async Task<long> NewClinicAsync(string name)
{
    var clinic = await ScalarAsync("INSERT INTO clinics (name, time_zone, is_active, created_at, updated_at) VALUES ($1, $2, true, now(), now()) RETURNING id", name, TimeZone);
    await ScalarAsync($"""
        INSERT INTO time_slots (clinic_id, name, start_time, end_time, is_active, created_at, updated_at)
        SELECT $1, 'TimeSlot ' || g, make_time(8 + g, 0, 0), make_time(9 + g, 0, 0), true, now(), now() FROM generate_series(0, {Shifts - 1}) g
        RETURNING 0
        """, clinic);
    await ScalarAsync($"""
        WITH d AS (
            INSERT INTO doctors (clinic_id, name, specialization, is_active, created_at, updated_at)
            SELECT $1, 'Dr ' || g, 'Specialty ' || (g % {Specializations}), true, now(), now() FROM generate_series(1, {DoctorsPerClinic}) g
            RETURNING clinic_id, id)
        INSERT INTO doctor_slots (clinic_id, doctor_id, time_slot_id, created_at, updated_at)
        SELECT d.clinic_id, d.id, t.id, now(), now() FROM d JOIN time_slots t ON t.clinic_id = d.clinic_id
        RETURNING 0
        """, clinic);
    return clinic;
}

if (Environment.GetEnvironmentVariable("GROWTH_GENERATION_ONLY") == "1")
{
    // Diagnosis: one timed generation on the database as it is.
    var fresh = await NewClinicAsync($"Generated {Guid.NewGuid():N}");
    var clock = Stopwatch.StartNew();
    var made = await generator.GenerateAsync(0, fresh, null, DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1), DateOnly.FromDateTime(DateTime.UtcNow).AddDays(62), CancellationToken.None);
    Console.WriteLine($"generated {made} in {clock.ElapsedMilliseconds} ms");
    return 0;
}

var clinicIds = new List<long>();
for (var i = 0; i < Clinics; i++)
{
    clinicIds.Add(await NewClinicAsync($"Clinic {i}"));
}
var today = DateOnly.FromDateTime(DateTime.UtcNow);
var start = today.AddDays(1);
var perDay = Clinics * DoctorsPerClinic * Shifts;
var seededDays = 0;
var failures = 0;
Console.WriteLine($"{Clinics} clinics x {DoctorsPerClinic} doctors x {Shifts} shifts = {perDay:N0} slots a day; {Specializations} specializations");

foreach (var size in sizes)
{
    // Seed to the size with the same INSERT … SELECT as the generator, without its checks (it is only seeding).
    var days = (int)Math.Ceiling((double)size / perDay);
    if (days > seededDays)
    {
        var watch = Stopwatch.StartNew();
        await ScalarAsync("""
            INSERT INTO booking_slots (clinic_id, doctor_id, time_slot_id, date, starts_at, ends_at, created_at)
            SELECT t.clinic_id, t.doctor_id, t.time_slot_id, g::date,
                   (g::date + ts.start_time) AT TIME ZONE c.time_zone, (g::date + ts.end_time) AT TIME ZONE c.time_zone, now()
              FROM doctor_slots t
              JOIN time_slots ts ON ts.clinic_id = t.clinic_id AND ts.id = t.time_slot_id
              JOIN clinics c ON c.id = t.clinic_id
             CROSS JOIN generate_series($1::date, $2::date, interval '1 day') g
             WHERE t.clinic_id = ANY($3)
            RETURNING 0
            """, start.AddDays(seededDays), start.AddDays(days - 1), clinicIds.ToArray());
        // A fifth of the slots booked, as a shard in use has them (the reads skip them).
        await ScalarAsync("""
            WITH s AS (
                UPDATE booking_slots SET customer_id = 1 + id % 1000
                 WHERE customer_id IS NULL AND date >= $1 AND id % 5 = 0 AND clinic_id = ANY($2)
             RETURNING clinic_id, id, doctor_id, starts_at, ends_at, customer_id)
            INSERT INTO bookings (clinic_id, booking_slot_id, doctor_id, starts_at, ends_at, customer_id, status, revision,
                                  created_at, expires_at, confirmed_at)
            SELECT clinic_id, id, doctor_id, starts_at, ends_at, customer_id, 'confirmed', 2, now(), now() + interval '2 minutes', now() FROM s
            RETURNING 0
            """, start.AddDays(seededDays), clinicIds.ToArray());
        await ScalarAsync("VACUUM ANALYZE booking_slots; SELECT 0");
        seededDays = days;
        Console.WriteLine($"\n== {await ScalarAsync("SELECT count(*) FROM booking_slots"):N0} slots ({days} days), seeded in {watch.Elapsed.TotalSeconds:F0} s");
    }

    var late = start.AddDays(Math.Max(0, days - 3));
    var reads = new (string Name, AvailabilityApi.SlotSearch Search)[]
    {
        ("search 7 days, any", new(start, start.AddDays(6), null, null, null, null, 50)),
        ("search 7 days, specialization", new(start, start.AddDays(6), "specialty 3", null, null, null, 50)),
        ("search 31 days, specialization", new(start, start.AddDays(30), "specialty 3", null, null, null, 50)),
        ("search 31 days, unknown", new(start, start.AddDays(30), "nobody", null, null, null, 50)),
        ("next, known, early from", new(today, DateOnly.MaxValue, "specialty 3", null, null, null, 1)),
        ("next, known, late from", new(late, DateOnly.MaxValue, "specialty 3", null, null, null, 1)),
        ("next, unknown, early from", new(today, DateOnly.MaxValue, "nobody", null, null, null, 1)),
        ("next, unknown, late from", new(late, DateOnly.MaxValue, "nobody", null, null, null, 1)),
    };
    foreach (var (name, search) in reads)
    {
        foreach (var callers in new[] { 1, 8 })
        {
            var (times, failed) = await RunAsync(callers, TimeSpan.FromSeconds(seconds), async () =>
            {
                await using var db = shards.CreateContext(0);
                await AvailabilityApi.ReadShardAsync(db, TimeProvider.System, search, CancellationToken.None);
            });
            failures += failed;
            Print(name, callers, times, failed);
        }
    }

    // A 62-day generation of a new clinic of 100 doctors on 8 shifts (49,600 slots), alone, then while 8
    // callers search, each in a fresh clinic.
    foreach (var callers in new[] { 0, 8 })
    {
        var clinic = await NewClinicAsync($"Generated {size} {callers}");
        using var stop = new CancellationTokenSource();
        var load = Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                await using var db = shards.CreateContext(0);
                await AvailabilityApi.ReadShardAsync(db, TimeProvider.System, reads[1].Search, CancellationToken.None);
            }
        })).ToList();
        var watch = Stopwatch.StartNew();
        int? created = null;
        try
        {
            created = await generator.GenerateAsync(0, clinic, null, today.AddDays(1), today.AddDays(62), CancellationToken.None);
        }
        catch (Exception ex)
        {
            failures++;
            Console.WriteLine($"generation failed: {ex.Message}");
        }
        var elapsed = watch.Elapsed;
        stop.Cancel();
        await Task.WhenAll(load);
        Console.WriteLine($"{"generate 62 days, 100 doctors",-34} {(callers == 0 ? "alone" : $"{callers} searching"),-12} {elapsed.TotalMilliseconds,8:F0} ms  created {created:N0}");
    }
}
Console.WriteLine($"\nfailures (errors or time-outs): {failures}");
return failures == 0 ? 0 : 1;

static async Task<(List<double> Times, int Failed)> RunAsync(int callers, TimeSpan duration, Func<Task> call)
{
    var times = new List<double>();
    var failed = 0;
    var until = DateTime.UtcNow + duration;
    await Task.WhenAll(Enumerable.Range(0, callers).Select(_ => Task.Run(async () =>
    {
        do
        {
            var watch = Stopwatch.StartNew();
            try
            {
                await call();
                lock (times) times.Add(watch.Elapsed.TotalMilliseconds);
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or TimeoutException)
            {
                Interlocked.Increment(ref failed);
            }
        }
        while (DateTime.UtcNow < until);
    })));
    return (times, failed);
}

static void Print(string name, int callers, List<double> times, int failed)
{
    times.Sort();
    double P(double q) => times.Count == 0 ? double.NaN : times[Math.Min(times.Count - 1, (int)(q * times.Count))];
    Console.WriteLine($"{name,-34} {(callers == 1 ? "alone" : $"{callers} callers"),-12} p50 {P(0.50),8:F1} ms  p99 {P(0.99),8:F1} ms  ({times.Count} calls, {failed} failed)");
}
