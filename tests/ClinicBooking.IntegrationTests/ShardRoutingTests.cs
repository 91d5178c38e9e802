using Aspire.Hosting.Testing;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>Clinics on two shards behind two cells, and the gateway routing every request by ClinicId.</summary>
public class ShardRoutingTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<long> ActiveClinicsAsync(int shard) =>
        await _api.ScalarAsync<long>(shard, "SELECT count(*) FROM clinics WHERE is_active");

    [Fact]
    public async Task New_clinics_go_to_the_shard_with_the_fewest_and_land_on_both()
    {
        var shardsUsed = new HashSet<int>();
        // Other tests leave the shards uneven; the policy fills the emptier one until they are level, then
        // uses both. So both are used within (imbalance + 2) placements.
        var imbalance = Math.Abs(await ActiveClinicsAsync(0) - await ActiveClinicsAsync(1));
        for (var i = 0; i < imbalance + 2 && shardsUsed.Count < 2; i++)
        {
            var counts = new[] { await ActiveClinicsAsync(0), await ActiveClinicsAsync(1) };
            var clinic = await _api.CreateClinicAsync();
            var shard = clinic.GetProperty("shard").GetInt32();

            Assert.Equal(counts.Min(), counts[shard]);
            Assert.Equal(shard, ClinicIds.ShardOfClinic(clinic.GetProperty("id").GetInt64()));
            shardsUsed.Add(shard);
        }
        Assert.Equal([0, 1], shardsUsed.Order());
    }

    [Fact]
    public async Task The_shard_list_counts_each_shards_active_clinics_as_its_database_does()
    {
        await _api.CreateClinicIdAsync(1);
        // Other tests add clinics meanwhile: the database is read before and after the list, and the list's
        // count must lie between.
        var before = new[] { await ActiveClinicsAsync(0), await ActiveClinicsAsync(1) };
        var list = await _api.Gateway.GetFromJsonAsync<JsonElement>("/shards", Ct);
        var after = new[] { await ActiveClinicsAsync(0), await ActiveClinicsAsync(1) };

        Assert.False(list.GetProperty("partial").GetBoolean());
        var shards = list.GetProperty("shards").EnumerateArray()
            .ToDictionary(s => s.GetProperty("shard").GetInt32(), s => s.GetProperty("activeClinics").GetInt64());
        Assert.Equal([0, 1], shards.Keys);
        Assert.InRange(shards[0], before[0], after[0]);
        Assert.InRange(shards[1], Math.Max(1, before[1]), after[1]);
    }

    [Fact]
    public async Task A_shard_shows_its_id_headroom_and_reports_degraded_when_it_runs_low()
    {
        var shards = (await _api.Gateway.GetFromJsonAsync<JsonElement>("/shards", Ct)).GetProperty("shards").EnumerateArray().ToList();
        var shard0 = shards.Single(s => s.GetProperty("shard").GetInt32() == 0);
        var used = await _api.ScalarAsync<long>(0, "SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM scoped_row_seq");
        Assert.Equal((1L << 30) - 1 - used, shard0.GetProperty("rowIdsLeft").GetInt64());
        Assert.True(shard0.GetProperty("clinicIdsLeft").GetInt64() > 0);
        Assert.False(shard0.GetProperty("idsRunningLow").GetBoolean());
        using var cell = app.CreateServiceClient(ResourceNames.ClinicCell(0));
        Assert.Equal("Healthy", await cell.GetStringAsync("/health", Ct));

        // Years of use in one step: 95% of the shard's row ids drawn. Put back afterwards (tests run one at a time).
        await _api.ScalarAsync<long>(0, "SELECT setval('scoped_row_seq', $1)", (long)(0.95 * (1L << 30)));
        try
        {
            Assert.Equal("Degraded", await cell.GetStringAsync("/health", Ct));
            var low = (await _api.Gateway.GetFromJsonAsync<JsonElement>("/shards", Ct)).GetProperty("shards").EnumerateArray()
                .Single(s => s.GetProperty("shard").GetInt32() == 0);
            Assert.True(low.GetProperty("idsRunningLow").GetBoolean());
        }
        finally
        {
            await _api.ScalarAsync<long>(0, "SELECT setval('scoped_row_seq', greatest($1, 1), $1 > 0)", used);
        }
        Assert.Equal("Healthy", await cell.GetStringAsync("/health", Ct));
    }

    [Fact]
    public async Task An_admin_can_name_the_shard_and_the_clinic_is_stored_only_there()
    {
        foreach (var shard in new[] { 0, 1 })
        {
            var id = await _api.CreateClinicIdAsync(shard);

            Assert.Equal(shard, ClinicIds.ShardOfClinic(id));
            Assert.Equal(1, await _api.ScalarAsync<long>(shard, "SELECT count(*) FROM clinics WHERE id = $1", id));
            Assert.Equal(0, await _api.ScalarAsync<long>(1 - shard, "SELECT count(*) FROM clinics WHERE id = $1", id));
            // Routable at once.
            Assert.Equal(HttpStatusCode.OK, (await _api.Gateway.GetAsync($"/clinics/{id}", Ct)).StatusCode);
        }
    }

    [Fact]
    public async Task Naming_a_shard_that_does_not_exist_is_a_validation_problem()
    {
        var response = await _api.Gateway.PostAsJsonAsync("/clinics?shard=7", new { name = "Nowhere", timeZone = "UTC" }, Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal(["shard"], problem.FieldErrors());
    }

    [Fact]
    public async Task Writes_through_the_gateway_reach_the_owning_shard_only()
    {
        foreach (var shard in new[] { 0, 1 })
        {
            var clinic = await _api.CreateClinicIdAsync(shard);
            var doctor = await _api.CreateDoctorAsync(clinic);
            var timeSlot = await _api.CreateTimeSlotAsync(clinic);
            var template = await _api.CreateTemplateAsync(doctor, timeSlot, weekday: 3);

            Assert.Equal(clinic, ClinicIds.ClinicOf(doctor));
            foreach (var (table, id) in new[] { ("doctors", doctor), ("time_slots", timeSlot), ("doctor_slots", template) })
            {
                Assert.Equal(1, await _api.ScalarAsync<long>(shard, $"SELECT count(*) FROM {table} WHERE clinic_id = $1 AND id = $2", clinic, id));
                Assert.Equal(0, await _api.ScalarAsync<long>(1 - shard, $"SELECT count(*) FROM {table} WHERE id = $1", id));
            }
        }
    }

    [Fact]
    public async Task No_clinic_sees_another_clinics_data()
    {
        var a = await _api.CreateClinicIdAsync(0);
        var b = await _api.CreateClinicIdAsync(0); // same shard: isolation must not depend on shards
        var doctorA = await _api.CreateDoctorAsync(a);
        var doctorB = await _api.CreateDoctorAsync(b);
        var slotB = await _api.CreateTimeSlotAsync(b);

        var listA = await _api.Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{a}/doctors", Ct);
        Assert.Equal([doctorA], listA.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()));
        var slotsA = await _api.Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{a}/timeslots", Ct);
        Assert.Equal(0, slotsA.GetArrayLength());

        // A's doctor cannot work B's shift.
        var response = await _api.Gateway.PostAsJsonAsync($"/doctors/{doctorA}/slots", new { timeSlotId = slotB }, Ct);
        await response.AssertProblemAsync(404);
        Assert.Equal(0, await _api.ScalarAsync<long>(0, "SELECT count(*) FROM doctor_slots WHERE doctor_id = $1", doctorA));
        Assert.Equal(HttpStatusCode.OK, (await _api.Gateway.GetAsync($"/doctors/{doctorB}", Ct)).StatusCode);
    }

    [Theory]
    [InlineData("/clinics/5")]                       // below every clinic id
    [InlineData("/clinics/abc")]
    [InlineData("/clinics/-64")]
    [InlineData("/clinics/99999999999")]             // above every clinic id
    [InlineData("/clinics/105/doctors")]             // well-formed, but shard 41 has no cell
    [InlineData("/doctors/64")]                      // a clinic id where a doctor id belongs
    [InlineData("/doctors/abc")]
    [InlineData("/timeslots/7")]
    [InlineData("/doctors/slots/12")]
    [InlineData("/bookingSlots/3")]
    public async Task Ids_of_the_wrong_shape_or_of_no_shard_are_404_problems(string path)
    {
        var response = await _api.Gateway.GetAsync(path, Ct);

        await response.AssertProblemAsync(404);
    }

    [Fact]
    public async Task Well_formed_ids_that_do_not_exist_are_404_problems()
    {
        var clinic = await _api.CreateClinicIdAsync(1);
        var doctor = await _api.CreateDoctorAsync(clinic);
        var unknownClinic = ((1L << 16) << ClinicIds.ShardBits) | 1; // shard 1, a number never handed out
        var unknownDoctor = (clinic << ClinicIds.RowBits) | ((1L << ClinicIds.RowBits) - 1);

        await (await _api.Gateway.GetAsync($"/clinics/{unknownClinic}", Ct)).AssertProblemAsync(404);
        await (await _api.Gateway.GetAsync($"/clinics/{unknownClinic}/doctors", Ct)).AssertProblemAsync(404);
        await (await _api.Gateway.GetAsync($"/doctors/{unknownDoctor}", Ct)).AssertProblemAsync(404);
        // An id of another kind in the same clinic finds nothing either.
        await (await _api.Gateway.GetAsync($"/timeslots/{doctor}", Ct)).AssertProblemAsync(404);
        await (await _api.Gateway.GetAsync($"/doctors/slots/{doctor}", Ct)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task A_stopped_cell_takes_only_its_own_clinics_offline()
    {
        var onShard0 = await _api.CreateClinicIdAsync(0);
        var onShard1 = await _api.CreateClinicIdAsync(1);
        var cell1 = ResourceNames.ClinicCell(1);

        await app.StopAsync(cell1);
        try
        {
            var down = await _api.Gateway.GetAsync($"/clinics/{onShard1}", Ct);
            var problem = await down.AssertProblemAsync(503);
            Assert.Contains(cell1, problem.GetProperty("detail").GetString());
            // Issue 28: the 503 says when to try again, as README promises.
            Assert.True(down.Headers.RetryAfter?.Delta is { TotalSeconds: > 0 }, $"Retry-After: {down.Headers.RetryAfter}");

            Assert.Equal(HttpStatusCode.OK, (await _api.Gateway.GetAsync($"/clinics/{onShard0}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.Created, (await _api.Gateway.PostAsJsonAsync(
                $"/clinics/{onShard0}/doctors", new { name = "Dr Still Here", specialization = "GP" }, Ct)).StatusCode);

            var list = await _api.Gateway.GetFromJsonAsync<JsonElement>("/clinics?limit=100", Ct);
            Assert.True(list.GetProperty("partial").GetBoolean());
            Assert.Equal([cell1], list.GetProperty("unavailableCells").EnumerateArray().Select(c => c.GetString()));
            Assert.All(list.GetProperty("items").EnumerateArray(), c => Assert.Equal(0, c.GetProperty("shard").GetInt32()));

            var shards = await _api.Gateway.GetFromJsonAsync<JsonElement>("/shards", Ct);
            Assert.True(shards.GetProperty("partial").GetBoolean());
            Assert.Equal([cell1], shards.GetProperty("unavailableCells").EnumerateArray().Select(c => c.GetString()));
            Assert.Equal([0], shards.GetProperty("shards").EnumerateArray().Select(s => s.GetProperty("shard").GetInt32()));

            // Placement skips the cell that does not answer.
            Assert.Equal(0, (await _api.CreateClinicAsync()).GetProperty("shard").GetInt32());
        }
        finally
        {
            await app.StartAsync(cell1);
        }

        Assert.Equal(HttpStatusCode.OK, (await _api.Gateway.GetAsync($"/clinics/{onShard1}", Ct)).StatusCode);
        var healed = await _api.Gateway.GetFromJsonAsync<JsonElement>("/clinics?limit=100", Ct);
        Assert.False(healed.GetProperty("partial").GetBoolean());
    }

    [Fact]
    public async Task The_clinic_list_pages_over_all_cells_in_id_order()
    {
        await _api.CreateClinicIdAsync(0);
        await _api.CreateClinicIdAsync(1);

        var ids = new List<long>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = "/clinics?limit=3" + (cursor is null ? "" : $"&after={cursor}");
            var page = await _api.Gateway.GetFromJsonAsync<JsonElement>(url, Ct);
            Assert.False(page.GetProperty("partial").GetBoolean());
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.True(items.Count <= 3);
            ids.AddRange(items.Select(c => c.GetProperty("id").GetInt64()));
            cursor = page.GetProperty("nextCursor").GetString();
            pages++;
        }
        while (cursor is not null && pages < 1000);

        var expected = await _api.ScalarAsync<long>(0, "SELECT count(*) FROM clinics WHERE is_active")
                       + await _api.ScalarAsync<long>(1, "SELECT count(*) FROM clinics WHERE is_active");
        Assert.Equal(expected, ids.Count);
        Assert.Equal(ids.Order(), ids);
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.Contains(ids, id => ClinicIds.ShardOfClinic(id) == 0);
        Assert.Contains(ids, id => ClinicIds.ShardOfClinic(id) == 1);
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=101")]
    [InlineData("after=xyz")]
    public async Task The_clinic_list_refuses_bad_paging(string query)
    {
        var response = await _api.Gateway.GetAsync($"/clinics?{query}", Ct);

        await response.AssertProblemAsync(400);
    }
}
