using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

public class ClinicsApiTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private HttpClient Gateway => _api.Gateway;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset NextYear = new(DateTime.UtcNow.Year + 1, 5, 4, 8, 0, 0, TimeSpan.Zero);

    private static StringContent Patch(string json) => Http.Json(json, "application/merge-patch+json");

    [Fact]
    public async Task Create_returns_the_clinic_with_its_location_and_shard()
    {
        var response = await Gateway.PostAsJsonAsync("/clinics",
            new { name = "  Riverside Clinic ", timeZone = "America/New_York", address = "1 River Rd" }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var clinic = await response.ReadJsonAsync();
        var id = clinic.GetProperty("id").GetInt64();
        Assert.Equal($"/clinics/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal("Riverside Clinic", clinic.GetProperty("name").GetString());
        Assert.Equal("America/New_York", clinic.GetProperty("timeZone").GetString());
        Assert.Equal(ClinicIds.ShardOfClinic(id), clinic.GetProperty("shard").GetInt32());
        Assert.Equal(clinic.ToString(), (await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{id}", Ct)).ToString());
    }

    [Theory]
    [InlineData("""{"timeZone": "UTC"}""", "name")]
    [InlineData("""{"name": "X"}""", "timeZone")]
    [InlineData("""{"name": "X", "timeZone": "Mars/Olympus_Mons"}""", "timeZone")]
    [InlineData("""{"name": "   ", "timeZone": "UTC"}""", "name")]
    public async Task Create_with_invalid_fields_is_a_validation_problem(string body, string field)
    {
        var response = await Gateway.PostAsync("/clinics", Http.Json(body), Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal([field], problem.FieldErrors());
    }

    [Fact]
    public async Task Create_with_malformed_json_is_a_400_problem()
    {
        var response = await Gateway.PostAsync("/clinics", Http.Json("""{"name": """), Ct);

        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Put_replaces_and_patch_merges()
    {
        var id = await _api.CreateClinicIdAsync();

        var put = await Gateway.PutAsJsonAsync($"/clinics/{id}", new { name = "Renamed", timeZone = "Asia/Tokyo", address = "2 Hill St" }, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var patch = await Gateway.PatchAsync($"/clinics/{id}", Patch("""{"address": null}"""), Ct);
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);

        var clinic = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{id}", Ct);
        Assert.Equal("Renamed", clinic.GetProperty("name").GetString());
        Assert.Equal("Asia/Tokyo", clinic.GetProperty("timeZone").GetString());
        Assert.Equal(JsonValueKind.Null, clinic.GetProperty("address").ValueKind);
    }

    [Theory]
    [InlineData("""{"id": 1}""")]
    [InlineData("""{"timeZone": "Not/AZone"}""")]
    [InlineData("""{"name": 3}""")]
    [InlineData("""[]""")]
    public async Task Bad_patches_are_400_problems_and_change_nothing(string patch)
    {
        var clinic = await _api.CreateClinicAsync();
        var id = clinic.GetProperty("id").GetInt64();

        var response = await Gateway.PatchAsync($"/clinics/{id}", Patch(patch), Ct);

        await response.AssertProblemAsync(400);
        Assert.Equal(clinic.ToString(), (await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{id}", Ct)).ToString());
    }

    [Fact]
    public async Task The_time_zone_of_a_clinic_with_future_slots_cannot_change()
    {
        var id = await _api.CreateClinicIdAsync(0);
        var doctor = await _api.CreateDoctorAsync(id);
        var shift = await _api.CreateTimeSlotAsync(id);
        await _api.InsertBookingSlotAsync(0, id, doctor, shift, NextYear, TimeSpan.FromHours(4));

        var response = await Gateway.PatchAsync($"/clinics/{id}", Patch("""{"timeZone": "Asia/Tokyo"}"""), Ct);

        await response.AssertProblemAsync(409);
    }

    [Fact]
    public async Task Unknown_clinics_are_404_for_every_verb()
    {
        var unknown = ((1L << 16) << ClinicIds.ShardBits) | 0;

        await (await Gateway.GetAsync($"/clinics/{unknown}", Ct)).AssertProblemAsync(404);
        await (await Gateway.PutAsJsonAsync($"/clinics/{unknown}", new { name = "X", timeZone = "UTC" }, Ct)).AssertProblemAsync(404);
        await (await Gateway.PatchAsync($"/clinics/{unknown}", Patch("""{"name": "X"}"""), Ct)).AssertProblemAsync(404);
        await (await Gateway.DeleteAsync($"/clinics/{unknown}", Ct)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task Deactivation_disables_doctors_and_removes_free_future_slots_and_templates_in_one_go()
    {
        var id = await _api.CreateClinicIdAsync(1);
        var doctor = await _api.CreateDoctorAsync(id);
        var shift = await _api.CreateTimeSlotAsync(id);
        await _api.CreateTemplateAsync(doctor, shift, weekday: 2);
        var pastSlot = await _api.InsertPastBookedSlotAsync(1, id, doctor, shift, NextYear.AddYears(-2), TimeSpan.FromHours(4), customerId: 7);
        await _api.InsertBookingSlotAsync(1, id, doctor, shift, NextYear, TimeSpan.FromHours(4));

        var response = await Gateway.DeleteAsync($"/clinics/{id}", Ct);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var clinic = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{id}", Ct);
        Assert.False(clinic.GetProperty("isActive").GetBoolean());
        Assert.False((await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}", Ct)).GetProperty("isActive").GetBoolean());
        Assert.False((await Gateway.GetFromJsonAsync<JsonElement>($"/timeslots/{shift}", Ct)).GetProperty("isActive").GetBoolean());
        Assert.Equal(0, (await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}/slots", Ct)).GetArrayLength());
        Assert.Equal([pastSlot!.Value], await SlotIdsAsync(1, id));

        var list = await Gateway.GetFromJsonAsync<JsonElement>("/clinics?limit=100", Ct);
        Assert.DoesNotContain(list.GetProperty("items").EnumerateArray(), c => c.GetProperty("id").GetInt64() == id);
        // Nothing new can be added to it, and an edit does not bring it back silently.
        await (await Gateway.PostAsJsonAsync($"/clinics/{id}/doctors", new { name = "Dr New", specialization = "GP" }, Ct)).AssertProblemAsync(409);
        await (await Gateway.PatchAsync($"/clinics/{id}", Patch("""{"name": "Back?"}"""), Ct)).AssertProblemAsync(409);
        Assert.Equal(HttpStatusCode.NoContent, (await Gateway.DeleteAsync($"/clinics/{id}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Deactivation_is_refused_while_future_slots_are_booked_and_lists_them()
    {
        var id = await _api.CreateClinicIdAsync(0);
        var doctor = await _api.CreateDoctorAsync(id);
        var shift = await _api.CreateTimeSlotAsync(id);
        var booked = await _api.InsertBookingSlotAsync(0, id, doctor, shift, NextYear, TimeSpan.FromHours(4));
        await _api.BookAsync(booked!.Value);
        var free = await _api.InsertBookingSlotAsync(0, id, doctor, shift, NextYear.AddDays(1), TimeSpan.FromHours(4));

        var response = await Gateway.DeleteAsync($"/clinics/{id}", Ct);

        var problem = await response.AssertProblemAsync(409);
        var blocker = Assert.Single(problem.GetProperty("blockers").EnumerateArray());
        Assert.Equal(booked, blocker.GetProperty("bookingSlotId").GetInt64());
        Assert.Equal(doctor, blocker.GetProperty("doctorId").GetInt64());
        // Nothing changed.
        Assert.True((await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{id}", Ct)).GetProperty("isActive").GetBoolean());
        Assert.True((await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}", Ct)).GetProperty("isActive").GetBoolean());
        Assert.Equal(new[] { booked!.Value, free!.Value }.Order(), (await SlotIdsAsync(0, id)).Order());
    }

    [Fact]
    public async Task A_deactivated_clinic_is_reactivated_explicitly()
    {
        var id = await _api.CreateClinicIdAsync();
        await Gateway.DeleteAsync($"/clinics/{id}", Ct);

        var response = await Gateway.PatchAsync($"/clinics/{id}", Patch("""{"isActive": true}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.ReadJsonAsync()).GetProperty("isActive").GetBoolean());
        Assert.Equal(HttpStatusCode.Created, (await Gateway.PostAsJsonAsync($"/clinics/{id}/doctors", new { name = "Dr Back", specialization = "GP" }, Ct)).StatusCode);
    }

    private async Task<long[]> SlotIdsAsync(int shard, long clinicId)
    {
        await using var connection = await _api.OpenShardAsync(shard);
        await using var command = new Npgsql.NpgsqlCommand("SELECT id FROM booking_slots WHERE clinic_id = $1 ORDER BY id", connection);
        command.Parameters.Add(new Npgsql.NpgsqlParameter { Value = clinicId });
        var ids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync(Ct);
        while (await reader.ReadAsync(Ct))
        {
            ids.Add(reader.GetInt64(0));
        }
        return ids.ToArray();
    }

    /// <summary>
    /// Issue 26, finding 8: clinics created at the same moment all read the same counts and landed on the
    /// same shard. Placement is one step now: from balanced shards, four at once go two and two.
    /// </summary>
    [Fact]
    public async Task Clinics_created_at_the_same_moment_are_spread_over_the_shards()
    {
        async Task<Dictionary<int, int>> CountsAsync() =>
            (await _api.Gateway.GetFromJsonAsync<JsonElement>("/shards", TestContext.Current.CancellationToken)).GetProperty("shards")
                .EnumerateArray().ToDictionary(s => s.GetProperty("shard").GetInt32(), s => s.GetProperty("activeClinics").GetInt32());
        var counts = await CountsAsync();
        // Balance the two shards by naming the emptier one.
        while (counts[0] != counts[1])
        {
            await _api.CreateClinicIdAsync(shard: counts[0] < counts[1] ? 0 : 1);
            counts = await CountsAsync();
        }
        var placed = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _api.CreateClinicAsync()));
        Assert.Equal(2, placed.Count(c => c.GetProperty("shard").GetInt32() == 0));
        Assert.Equal(2, placed.Count(c => c.GetProperty("shard").GetInt32() == 1));
    }
}
