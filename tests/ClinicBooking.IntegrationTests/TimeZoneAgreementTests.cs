using NodaTime;
using Npgsql;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Issue 27, finding 7: one time-zone database. NodaTime's tzdb, shipped with the services, is the system's
/// truth: the API validates zones and shows times with it, and slot generation turns a clinic's shift times
/// into instants with it. The shards' PostgreSQL checks a zone's name only, with its own tzdata, which may be
/// older (on this machine they disagree for over a thousand zone-instants over two years, printed below); so
/// the shard must know every name NodaTime accepts, and must do no zone arithmetic of its own.
/// </summary>
public sealed class TimeZoneAgreementTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly ClinicApi _api = new(app);

    [Fact]
    public async Task Every_zone_the_API_accepts_the_shard_accepts()
    {
        var zones = DateTimeZoneProviders.Tzdb.Ids.ToArray();
        await using var connection = await _api.OpenShardAsync(0);
        await using var known = new NpgsqlCommand("SELECT name FROM pg_timezone_names WHERE name = ANY($1) AND name NOT LIKE 'posix/%'", connection)
        {
            Parameters = { new() { Value = zones } },
        };
        var shardZones = new HashSet<string>();
        await using var reader = await known.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            shardZones.Add(reader.GetString(0));
        }
        Assert.Empty(zones.Except(shardZones));
    }

    [Fact]
    public async Task Generated_slots_take_their_instants_from_NodaTime_even_where_PostgreSQL_disagrees()
    {
        // A zone whose offset the two databases give differently within the next days, if this machine has one.
        var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(3);
        var (zone, disagreements) = await DisagreementAsync(from);
        TestContext.Current.SendDiagnosticMessage($"NodaTime and this shard's tzdata disagree on {disagreements} zone-days; testing with {zone}.");

        var c = await SlotFixtures.CreateAsync(_api, timeZone: zone, start: "09:00", end: "13:00");
        Assert.True(await _api.GenerateAsync(c.Id, from, from) >= 1);
        var slot = Assert.Single(await _api.DoctorSlotsAsync(c.Doctor, from, from));

        var expected = DateTimeZoneProviders.Tzdb[zone].AtLeniently(LocalDate.FromDateOnly(from).At(new LocalTime(9, 0))).ToDateTimeOffset();
        var startsAt = DateTimeOffset.Parse(slot.GetProperty("startsAt").GetString()!);
        Assert.Equal(expected.ToUniversalTime(), startsAt.ToUniversalTime());
        Assert.Equal(expected.Offset, startsAt.Offset); // shown with the offset NodaTime gives, too
    }

    /// <summary>The first zone (by name) whose 09:00 on <paramref name="date"/> the shard would place elsewhere, else Europe/Berlin; and how many differ.</summary>
    private async Task<(string Zone, int Count)> DisagreementAsync(DateOnly date)
    {
        var zones = DateTimeZoneProviders.Tzdb.Ids.Order(StringComparer.Ordinal).ToArray();
        await using var connection = await _api.OpenShardAsync(0);
        await using var command = new NpgsqlCommand("SELECT z, ($2::date + time '09:00') AT TIME ZONE z FROM unnest($1::text[]) z", connection)
        {
            Parameters = { new() { Value = zones }, new() { Value = date } },
        };
        var differing = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            var zone = reader.GetString(0);
            var noda = DateTimeZoneProviders.Tzdb[zone].AtLeniently(LocalDate.FromDateOnly(date).At(new LocalTime(9, 0))).ToInstant();
            if (noda != Instant.FromDateTimeUtc(reader.GetDateTime(1)))
            {
                differing.Add(zone);
            }
        }
        return (differing.FirstOrDefault() ?? "Europe/Berlin", differing.Count);
    }
}
