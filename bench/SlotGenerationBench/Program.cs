using System.Diagnostics;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

// Slot generation against an equivalent raw INSERT … SELECT, in the same (empty) database, same run:
// 1,000 doctors x 4 shifts x 14 days = 56,000 slots. Usage: SlotGenerationBench "<connection string>" [rounds]
var connectionString = args.Length > 0 ? args[0] : throw new ArgumentException("Pass a connection string to an empty database.");
var rounds = args.Length > 1 ? int.Parse(args[1]) : 3;
const int Doctors = 1000;
const string TimeZone = "Europe/Berlin";
string[][] shifts = [["08:00", "10:00"], ["10:00", "12:00"], ["13:00", "15:00"], ["15:00", "17:00"]];

// The cell's own registrations for its shards and the generator; a cache without Redis (nothing reads it here).
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
var generator = services.Services.GetRequiredService<SlotGenerator>();
var dataSource = services.Services.GetRequiredService<ShardDatabases>().DataSource(0);

async Task<long> ScalarAsync(string sql, params object[] parameters)
{
    await using var command = dataSource.CreateCommand(sql);
    foreach (var p in parameters) command.Parameters.Add(new NpgsqlParameter { Value = p });
    return Convert.ToInt64(await command.ExecuteScalarAsync());
}

// Seed: one clinic, its shifts, 1,000 doctors, each working every shift every day.
var clinicId = await ScalarAsync("INSERT INTO clinics (name, time_zone, is_active, created_at, updated_at) VALUES ('Bench', $1, true, now(), now()) RETURNING id", TimeZone);
foreach (var (shift, i) in shifts.Select((s, i) => (s, i)))
{
    await ScalarAsync("INSERT INTO time_slots (clinic_id, name, start_time, end_time, is_active, created_at, updated_at) VALUES ($1, $2, $3::time, $4::time, true, now(), now()) RETURNING id",
        clinicId, $"Shift {i}", shift[0], shift[1]);
}
await ScalarAsync($"""
    WITH d AS (
        INSERT INTO doctors (clinic_id, name, specialization, is_active, created_at, updated_at)
        SELECT $1, 'Dr ' || g, 'Specialty ' || (g % 20), true, now(), now() FROM generate_series(1, {Doctors}) g
        RETURNING clinic_id, id)
    INSERT INTO doctor_slots (clinic_id, doctor_id, time_slot_id, created_at, updated_at)
    SELECT d.clinic_id, d.id, t.id, now(), now() FROM d JOIN time_slots t ON t.clinic_id = d.clinic_id
    RETURNING 0
    """, clinicId);
await ScalarAsync("VACUUM ANALYZE");

var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
var to = from.AddDays(13);
const string RawInsert = """
    INSERT INTO booking_slots (clinic_id, doctor_id, time_slot_id, date, starts_at, ends_at, created_at)
    SELECT t.clinic_id, t.doctor_id, t.time_slot_id, g::date,
           (g::date + ts.start_time) AT TIME ZONE c.time_zone, (g::date + ts.end_time) AT TIME ZONE c.time_zone, now()
      FROM doctor_slots t
      JOIN time_slots ts ON ts.clinic_id = t.clinic_id AND ts.id = t.time_slot_id
      JOIN clinics c ON c.id = t.clinic_id
     CROSS JOIN generate_series($1::date, $2::date, interval '1 day') g
    """;

var generatorTimes = new List<double>();
var rawTimes = new List<double>();
for (var round = 1; round <= rounds; round++)
{
    await ScalarAsync("TRUNCATE booking_slots, bookings, outbox_messages; SELECT 0");
    await ScalarAsync("CHECKPOINT; SELECT 0");
    var watch = Stopwatch.StartNew();
    var created = await generator.GenerateAsync(0, clinicId, null, from, to, CancellationToken.None);
    generatorTimes.Add(watch.Elapsed.TotalMilliseconds);
    Check(created ?? -1, "generator");

    await ScalarAsync("TRUNCATE booking_slots, bookings, outbox_messages; SELECT 0");
    await ScalarAsync("CHECKPOINT; SELECT 0");
    watch.Restart();
    await using (var command = dataSource.CreateCommand(RawInsert))
    {
        command.Parameters.Add(new NpgsqlParameter { Value = from });
        command.Parameters.Add(new NpgsqlParameter { Value = to });
        command.CommandTimeout = 300;
        var inserted = await command.ExecuteNonQueryAsync();
        rawTimes.Add(watch.Elapsed.TotalMilliseconds);
        Check(inserted, "raw INSERT … SELECT");
    }
    Console.WriteLine($"round {round}: generator {generatorTimes[^1]:F0} ms, raw INSERT … SELECT {rawTimes[^1]:F0} ms");
}

var generatorMedian = Median(generatorTimes);
var rawMedian = Median(rawTimes);
Console.WriteLine($"slots per run: {Doctors * shifts.Length * 14:N0} ({Doctors} doctors x {shifts.Length} shifts x 14 days)");
Console.WriteLine($"median: generator {generatorMedian:F0} ms, raw INSERT … SELECT {rawMedian:F0} ms, ratio {generatorMedian / rawMedian:F2} (target <= 2.00)");
return generatorMedian <= 2 * rawMedian ? 0 : 1;

static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

static void Check(int created, string what)
{
    const int Expected = 1000 * 4 * 14;
    if (created != Expected)
    {
        throw new InvalidOperationException($"{what} created {created} slots, expected {Expected}.");
    }
}
