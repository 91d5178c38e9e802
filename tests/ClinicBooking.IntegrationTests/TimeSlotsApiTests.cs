using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

public class TimeSlotsApiTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private HttpClient Gateway => _api.Gateway;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset NextYear = new(DateTime.UtcNow.Year + 1, 7, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Create_list_read_and_replace_time_slots()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var response = await Gateway.PostAsJsonAsync($"/clinics/{clinic}/timeslots", new { name = "Afternoon", startTime = "14:00", endTime = "18:30" }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var afternoon = await response.ReadJsonAsync();
        var id = afternoon.GetProperty("id").GetInt64();
        Assert.Equal("14:00", afternoon.GetProperty("startTime").GetString());
        Assert.Equal("18:30", afternoon.GetProperty("endTime").GetString());
        var morning = await _api.CreateTimeSlotAsync(clinic, "08:00", "12:00", "Morning");

        var list = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{clinic}/timeslots", Ct);
        Assert.Equal(new[] { morning, id }, list.EnumerateArray().Select(t => t.GetProperty("id").GetInt64()));

        var put = await Gateway.PutAsJsonAsync($"/timeslots/{id}", new { name = "Late afternoon", startTime = "15:00", endTime = "19:00" }, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        var read = await Gateway.GetFromJsonAsync<JsonElement>($"/timeslots/{id}", Ct);
        Assert.Equal("Late afternoon", read.GetProperty("name").GetString());
        Assert.Equal("15:00", read.GetProperty("startTime").GetString());
    }

    [Theory]
    [InlineData("13:00", "09:00", "endTime")]
    [InlineData("09:00", "09:00", "endTime")]
    [InlineData("9am", "13:00", "startTime")]
    [InlineData("09:00", "25:00", "endTime")]
    [InlineData(null, "13:00", "startTime")]
    public async Task Invalid_hours_are_validation_problems(string? start, string end, string field)
    {
        var clinic = await _api.CreateClinicIdAsync();

        var response = await Gateway.PostAsJsonAsync($"/clinics/{clinic}/timeslots", new { name = "Bad", startTime = start, endTime = end }, Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal([field], problem.FieldErrors());
    }

    [Fact]
    public async Task Two_active_time_slots_of_a_clinic_cannot_share_a_name()
    {
        var clinic = await _api.CreateClinicIdAsync();
        await _api.CreateTimeSlotAsync(clinic, name: "Morning");

        var response = await Gateway.PostAsJsonAsync($"/clinics/{clinic}/timeslots", new { name = "Morning", startTime = "07:00", endTime = "08:00" }, Ct);

        await response.AssertProblemAsync(409);
        // Another clinic may use the name.
        await _api.CreateTimeSlotAsync(await _api.CreateClinicIdAsync(), name: "Morning");
    }

    [Fact]
    public async Task Hours_with_future_slots_cannot_move_and_deactivation_clears_free_ones()
    {
        var clinic = await _api.CreateClinicIdAsync(1);
        var doctor = await _api.CreateDoctorAsync(clinic);
        var shift = await _api.CreateTimeSlotAsync(clinic, "09:00", "13:00", "Shift");
        await _api.CreateTemplateAsync(doctor, shift);
        await _api.InsertBookingSlotAsync(1, clinic, doctor, shift, NextYear, TimeSpan.FromHours(4));

        var move = await Gateway.PutAsJsonAsync($"/timeslots/{shift}", new { name = "Shift", startTime = "10:00", endTime = "14:00" }, Ct);
        await move.AssertProblemAsync(409);
        var rename = await Gateway.PutAsJsonAsync($"/timeslots/{shift}", new { name = "Renamed shift", startTime = "09:00", endTime = "13:00" }, Ct);
        Assert.Equal(HttpStatusCode.OK, rename.StatusCode);

        Assert.Equal(HttpStatusCode.NoContent, (await Gateway.DeleteAsync($"/timeslots/{shift}", Ct)).StatusCode);
        Assert.False((await Gateway.GetFromJsonAsync<JsonElement>($"/timeslots/{shift}", Ct)).GetProperty("isActive").GetBoolean());
        Assert.Equal(0, await _api.ScalarAsync<long>(1, "SELECT count(*) FROM booking_slots WHERE time_slot_id = $1", shift));
        Assert.Equal(0, (await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}/slots", Ct)).GetArrayLength());
        Assert.Equal(0, (await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{clinic}/timeslots", Ct)).GetArrayLength());
        await (await Gateway.PutAsJsonAsync($"/timeslots/{shift}", new { name = "Again", startTime = "09:00", endTime = "13:00" }, Ct)).AssertProblemAsync(409);
    }

    [Fact]
    public async Task Unknown_time_slots_are_404()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var unknown = (clinic << ClinicIds.RowBits) | 123_456_789;

        await (await Gateway.GetAsync($"/timeslots/{unknown}", Ct)).AssertProblemAsync(404);
        await (await Gateway.PutAsJsonAsync($"/timeslots/{unknown}", new { name = "X", startTime = "09:00", endTime = "10:00" }, Ct)).AssertProblemAsync(404);
        await (await Gateway.DeleteAsync($"/timeslots/{unknown}", Ct)).AssertProblemAsync(404);
    }
}
