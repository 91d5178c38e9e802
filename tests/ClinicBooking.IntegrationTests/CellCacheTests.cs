using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Issue 26, finding 7: both cells cache search answers in the one Redis, and the keys named only a per-process
/// change counter and the query, so two cells whose counters were equal served each other's pages
/// (CellCacheKeyTests shows it on the old keys, with the counters equal by construction). Here, through the real
/// cells and Redis: after both restart, each answers a search from its own shard.
/// </summary>
public sealed class CellCacheTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Each_cell_answers_a_search_from_its_own_shard_after_both_restart()
    {
        var clinics = new ClinicApi(app);
        var clinic = await SlotFixtures.CreateAsync(clinics, shard: 0);
        var day = SlotFixtures.NextYear(6, 1);
        await clinics.GenerateAsync(clinic.Id, day, day.AddDays(6));

        // Both cells start afresh, as after a deployment: their change counters are equal again.
        await app.RestartAsync(ResourceNames.ClinicCell(0));
        await app.RestartAsync(ResourceNames.ClinicCell(1));

        var query = $"/availability/search?from={day:yyyy-MM-dd}&to={day.AddDays(6):yyyy-MM-dd}&specialization={clinic.Specialization}";
        using var cell0 = app.CreateServiceClient(ResourceNames.ClinicCell(0));
        using var cell1 = app.CreateServiceClient(ResourceNames.ClinicCell(1));
        var own = await cell0.GetFromJsonAsync<JsonElement>(query, Ct);
        Assert.NotEmpty(own.GetProperty("items").EnumerateArray());
        var other = await cell1.GetFromJsonAsync<JsonElement>(query, Ct);
        // Shard 1 has no clinic with this specialization: its cell must not answer shard 0's slots.
        Assert.Empty(other.GetProperty("items").EnumerateArray());
    }
}
