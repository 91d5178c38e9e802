using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

public class DoctorsApiTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private HttpClient Gateway => _api.Gateway;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly DateTimeOffset NextYear = new(DateTime.UtcNow.Year + 1, 6, 1, 8, 0, 0, TimeSpan.Zero);

    private static StringContent Patch(string json) => Http.Json(json, "application/merge-patch+json");

    [Fact]
    public async Task Create_read_list_and_filter_doctors()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var response = await Gateway.PostAsJsonAsync($"/clinics/{clinic}/doctors", new { name = " Dr Ada ", specialization = "Cardiology" }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var ada = await response.ReadJsonAsync();
        var adaId = ada.GetProperty("id").GetInt64();
        Assert.Equal($"/doctors/{adaId}", response.Headers.Location?.OriginalString);
        Assert.Equal("Dr Ada", ada.GetProperty("name").GetString());
        Assert.Equal(clinic, ada.GetProperty("clinicId").GetInt64());
        var bob = await _api.CreateDoctorAsync(clinic, "Dermatology");
        var cyd = await _api.CreateDoctorAsync(clinic, "cardiology");

        var all = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{clinic}/doctors", Ct);
        Assert.Equal(new[] { adaId, bob, cyd }, Ids(all));
        var cardiologists = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{clinic}/doctors?specialization=Cardiology", Ct);
        Assert.Equal(new[] { adaId, cyd }, Ids(cardiologists));
        var page = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{clinic}/doctors?pageSize=2&pageIndex=1", Ct);
        Assert.Equal(new[] { cyd }, Ids(page));
        Assert.Equal(3, page.GetProperty("totalCount").GetInt64());
        Assert.Equal(ada.ToString(), (await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{adaId}", Ct)).ToString());
    }

    [Theory]
    [InlineData("""{"specialization": "GP"}""", "name")]
    [InlineData("""{"name": "Dr X"}""", "specialization")]
    [InlineData("""{"name": "", "specialization": " "}""", "name,specialization")]
    public async Task Create_with_missing_fields_is_a_validation_problem(string body, string fields)
    {
        var clinic = await _api.CreateClinicIdAsync();

        var response = await Gateway.PostAsync($"/clinics/{clinic}/doctors", Http.Json(body), Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal(fields.Split(','), problem.FieldErrors());
    }

    [Fact]
    public async Task Put_and_patch_update_a_doctor()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var doctor = await _api.CreateDoctorAsync(clinic);

        Assert.Equal(HttpStatusCode.OK, (await Gateway.PutAsJsonAsync($"/doctors/{doctor}", new { name = "Dr Put", specialization = "Oncology" }, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Gateway.PatchAsync($"/doctors/{doctor}", Patch("""{"name": "Dr Patch"}"""), Ct)).StatusCode);

        var read = await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}", Ct);
        Assert.Equal("Dr Patch", read.GetProperty("name").GetString());
        Assert.Equal("Oncology", read.GetProperty("specialization").GetString());
        await (await Gateway.PatchAsync($"/doctors/{doctor}", Patch("""{"clinicId": 64}"""), Ct)).AssertProblemAsync(400);
        await (await Gateway.PutAsJsonAsync($"/doctors/{doctor}", new { name = "Dr Put" }, Ct)).AssertProblemAsync(400);
    }

    [Fact]
    public async Task Deactivation_removes_free_future_slots_and_templates_and_is_refused_while_booked()
    {
        var clinic = await _api.CreateClinicIdAsync(0);
        var doctor = await _api.CreateDoctorAsync(clinic);
        var shift = await _api.CreateTimeSlotAsync(clinic);
        await _api.CreateTemplateAsync(doctor, shift);
        var booked = await _api.InsertBookingSlotAsync(0, clinic, doctor, shift, NextYear, TimeSpan.FromHours(4));
        var (booking, _) = await _api.BookAsync(booked!.Value);
        await _api.InsertBookingSlotAsync(0, clinic, doctor, shift, NextYear.AddDays(1), TimeSpan.FromHours(4));

        var refused = await Gateway.DeleteAsync($"/doctors/{doctor}", Ct);
        var problem = await refused.AssertProblemAsync(409);
        Assert.Equal(booked, Assert.Single(problem.GetProperty("blockers").EnumerateArray()).GetProperty("bookingSlotId").GetInt64());

        Assert.Equal(HttpStatusCode.OK, (await Gateway.DeleteAsync($"/bookings/{booking}", Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await Gateway.DeleteAsync($"/doctors/{doctor}", Ct)).StatusCode);

        Assert.False((await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}", Ct)).GetProperty("isActive").GetBoolean());
        Assert.Equal(0, await _api.ScalarAsync<long>(0, "SELECT count(*) FROM booking_slots WHERE doctor_id = $1", doctor));
        Assert.Equal(0, (await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}/slots", Ct)).GetArrayLength());
        var active = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{clinic}/doctors", Ct);
        Assert.DoesNotContain(doctor, Ids(active));
        var withInactive = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{clinic}/doctors?includeInactive=true", Ct);
        Assert.Contains(doctor, Ids(withInactive));
    }

    [Fact]
    public async Task A_doctor_is_reactivated_only_explicitly_and_only_in_an_active_clinic()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var doctor = await _api.CreateDoctorAsync(clinic);
        await Gateway.DeleteAsync($"/doctors/{doctor}", Ct);

        await (await Gateway.PatchAsync($"/doctors/{doctor}", Patch("""{"name": "Dr Quiet"}"""), Ct)).AssertProblemAsync(409);
        Assert.Equal(HttpStatusCode.OK, (await Gateway.PatchAsync($"/doctors/{doctor}", Patch("""{"isActive": true}"""), Ct)).StatusCode);

        await Gateway.DeleteAsync($"/clinics/{clinic}", Ct);
        var refused = await Gateway.PatchAsync($"/doctors/{doctor}", Patch("""{"isActive": true}"""), Ct);
        var problem = await refused.AssertProblemAsync(409);
        Assert.Contains("clinic", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Unknown_doctors_and_clinics_are_404()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var unknown = (clinic << ClinicIds.RowBits) | 123_456_789;

        await (await Gateway.GetAsync($"/doctors/{unknown}", Ct)).AssertProblemAsync(404);
        await (await Gateway.PutAsJsonAsync($"/doctors/{unknown}", new { name = "X", specialization = "Y" }, Ct)).AssertProblemAsync(404);
        await (await Gateway.PatchAsync($"/doctors/{unknown}", Patch("""{"name": "X"}"""), Ct)).AssertProblemAsync(404);
        await (await Gateway.DeleteAsync($"/doctors/{unknown}", Ct)).AssertProblemAsync(404);
        var unknownClinic = ((1L << 16) << ClinicIds.ShardBits) | 0;
        await (await Gateway.PostAsJsonAsync($"/clinics/{unknownClinic}/doctors", new { name = "X", specialization = "Y" }, Ct)).AssertProblemAsync(404);
    }

    private static long[] Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).ToArray();
}
