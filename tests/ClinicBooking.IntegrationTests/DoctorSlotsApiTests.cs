using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

public class DoctorSlotsApiTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private HttpClient Gateway => _api.Gateway;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Create_list_read_replace_and_delete_templates()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var doctor = await _api.CreateDoctorAsync(clinic);
        var morning = await _api.CreateTimeSlotAsync(clinic, "08:00", "12:00");
        var evening = await _api.CreateTimeSlotAsync(clinic, "17:00", "20:00");

        var response = await Gateway.PostAsJsonAsync($"/doctors/{doctor}/slots", new { timeSlotId = morning, weekday = 1 }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var monday = await response.ReadJsonAsync();
        var mondayId = monday.GetProperty("id").GetInt64();
        Assert.Equal($"/doctors/slots/{mondayId}", response.Headers.Location?.OriginalString);
        var everyDay = await _api.CreateTemplateAsync(doctor, evening);

        var list = await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}/slots", Ct);
        Assert.Equal(new[] { mondayId, everyDay }.Order(), list.EnumerateArray().Select(t => t.GetProperty("id").GetInt64()).Order());
        Assert.Equal(monday.ToString(), (await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/slots/{mondayId}", Ct)).ToString());

        var put = await Gateway.PutAsJsonAsync($"/doctors/slots/{mondayId}", new { timeSlotId = morning, weekday = 5 }, Ct);
        Assert.Equal(HttpStatusCode.OK, put.StatusCode);
        Assert.Equal(5, (await put.ReadJsonAsync()).GetProperty("weekday").GetInt32());

        Assert.Equal(HttpStatusCode.NoContent, (await Gateway.DeleteAsync($"/doctors/slots/{mondayId}", Ct)).StatusCode);
        await (await Gateway.DeleteAsync($"/doctors/slots/{mondayId}", Ct)).AssertProblemAsync(404);
        await (await Gateway.GetAsync($"/doctors/slots/{mondayId}", Ct)).AssertProblemAsync(404);
    }

    [Theory]
    [InlineData("""{"weekday": 1}""", "timeSlotId")]
    [InlineData("""{"timeSlotId": 1, "weekday": 8}""", "weekday")]
    [InlineData("""{"timeSlotId": 1, "weekday": 0}""", "weekday")]
    public async Task Invalid_templates_are_validation_problems(string body, string field)
    {
        var clinic = await _api.CreateClinicIdAsync();
        var doctor = await _api.CreateDoctorAsync(clinic);

        var response = await Gateway.PostAsync($"/doctors/{doctor}/slots", Http.Json(body), Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal([field], problem.FieldErrors());
    }

    [Fact]
    public async Task The_same_time_slot_and_weekday_twice_is_a_conflict()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var doctor = await _api.CreateDoctorAsync(clinic);
        var shift = await _api.CreateTimeSlotAsync(clinic);
        await _api.CreateTemplateAsync(doctor, shift);

        var again = await Gateway.PostAsJsonAsync($"/doctors/{doctor}/slots", new { timeSlotId = shift }, Ct);

        await again.AssertProblemAsync(409);
        Assert.Equal(HttpStatusCode.Created, (await Gateway.PostAsJsonAsync($"/doctors/{doctor}/slots", new { timeSlotId = shift, weekday = 2 }, Ct)).StatusCode);
    }

    [Fact]
    public async Task Templates_need_an_active_doctor_and_time_slot()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var doctor = await _api.CreateDoctorAsync(clinic);
        var shift = await _api.CreateTimeSlotAsync(clinic);
        var retired = await _api.CreateTimeSlotAsync(clinic);
        await Gateway.DeleteAsync($"/timeslots/{retired}", Ct);

        await (await Gateway.PostAsJsonAsync($"/doctors/{doctor}/slots", new { timeSlotId = retired }, Ct)).AssertProblemAsync(409);
        await Gateway.DeleteAsync($"/doctors/{doctor}", Ct);
        await (await Gateway.PostAsJsonAsync($"/doctors/{doctor}/slots", new { timeSlotId = shift }, Ct)).AssertProblemAsync(409);
    }

    [Fact]
    public async Task Unknown_doctors_and_templates_are_404()
    {
        var clinic = await _api.CreateClinicIdAsync();
        var unknown = (clinic << ClinicIds.RowBits) | 123_456_789;

        await (await Gateway.GetAsync($"/doctors/{unknown}/slots", Ct)).AssertProblemAsync(404);
        await (await Gateway.PostAsJsonAsync($"/doctors/{unknown}/slots", new { timeSlotId = 1 }, Ct)).AssertProblemAsync(404);
        await (await Gateway.PutAsJsonAsync($"/doctors/slots/{unknown}", new { timeSlotId = 1 }, Ct)).AssertProblemAsync(404);
    }
}
