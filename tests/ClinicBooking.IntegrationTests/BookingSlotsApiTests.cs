using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

public class BookingSlotsApiTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private HttpClient Gateway => _api.Gateway;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_slot_created_by_hand_is_read_moved_and_removed()
    {
        var c = await SlotFixtures.CreateAsync(_api, shard: 1, timeZone: "America/New_York");
        var date = SlotFixtures.NextYear(7, 14);

        var response = await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = c.TimeSlot, date }, Ct);

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var slot = await response.ReadJsonAsync();
        var id = slot.GetProperty("id").GetInt64();
        Assert.Equal($"/bookingSlots/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal($"{date:yyyy-MM-dd}T09:00:00-04:00", slot.GetProperty("startsAt").GetString());
        Assert.False(slot.GetProperty("isBooked").GetBoolean());
        Assert.Equal(slot.ToString(), (await Gateway.GetFromJsonAsync<JsonElement>($"/bookingSlots/{id}", Ct)).ToString());

        var moved = await Gateway.PutAsJsonAsync($"/bookingSlots/{id}", new { timeSlotId = c.TimeSlot, date = date.AddDays(1) }, Ct);
        Assert.Equal(HttpStatusCode.OK, moved.StatusCode);
        Assert.Equal(date.AddDays(1).ToString("yyyy-MM-dd"), (await moved.ReadJsonAsync()).GetProperty("date").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Gateway.DeleteAsync($"/bookingSlots/{id}", Ct)).StatusCode);
        await (await Gateway.GetAsync($"/bookingSlots/{id}", Ct)).AssertProblemAsync(404);
        await (await Gateway.DeleteAsync($"/bookingSlots/{id}", Ct)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task Duplicate_overlapping_and_past_slots_are_conflicts()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var overlapping = await _api.CreateTimeSlotAsync(c.Id, "12:00", "15:00");
        var date = SlotFixtures.NextYear(8, 3);
        Assert.Equal(HttpStatusCode.Created, (await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = c.TimeSlot, date }, Ct)).StatusCode);

        var duplicate = await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = c.TimeSlot, date }, Ct);
        var overlap = await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = overlapping, date }, Ct);
        var past = await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = c.TimeSlot, date = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30) }, Ct);

        await duplicate.AssertProblemAsync(409);
        var problem = await overlap.AssertProblemAsync(409);
        Assert.Contains("overlapping", problem.GetProperty("detail").GetString());
        await past.AssertProblemAsync(409);
        Assert.Single(await _api.DoctorSlotsAsync(c.Doctor, date, date));
    }

    [Theory]
    [InlineData("timeSlotId", "date")]
    [InlineData("doctorId", "date")]
    [InlineData("doctorId", "timeSlotId")]
    public async Task Missing_fields_are_validation_problems(string given1, string given2)
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var values = new Dictionary<string, object> { ["doctorId"] = c.Doctor, ["timeSlotId"] = c.TimeSlot, ["date"] = "2027-06-01" };
        var body = values.Where(v => v.Key == given1 || v.Key == given2).ToDictionary();
        var field = values.Keys.Single(k => k != given1 && k != given2);

        var response = await Gateway.PostAsJsonAsync("/bookingSlots", body, Ct);

        var problem = await response.AssertProblemAsync(400);
        Assert.Equal([field], problem.FieldErrors());
    }

    [Fact]
    public async Task Unknown_doctors_and_time_slots_of_other_clinics_are_404()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var other = await SlotFixtures.CreateAsync(_api);
        var date = SlotFixtures.NextYear(8, 10);
        var unknownDoctor = (c.Id << ClinicIds.RowBits) | 123_456_789;

        await (await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = unknownDoctor, timeSlotId = c.TimeSlot, date }, Ct)).AssertProblemAsync(404);
        await (await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = other.TimeSlot, date }, Ct)).AssertProblemAsync(404);
        await (await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = 5, timeSlotId = c.TimeSlot, date }, Ct)).AssertProblemAsync(404);
    }

    [Fact]
    public async Task A_booked_slot_is_neither_moved_nor_removed()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var date = SlotFixtures.NextYear(9, 1);
        var created = await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = c.TimeSlot, date }, Ct);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
        await _api.BookAsync(id);

        await (await Gateway.DeleteAsync($"/bookingSlots/{id}", Ct)).AssertProblemAsync(409);
        await (await Gateway.PutAsJsonAsync($"/bookingSlots/{id}", new { timeSlotId = c.TimeSlot, date = date.AddDays(1) }, Ct)).AssertProblemAsync(409);
        var slot = await Gateway.GetFromJsonAsync<JsonElement>($"/bookingSlots/{id}", Ct);
        Assert.True(slot.GetProperty("isBooked").GetBoolean());
        Assert.Equal(date.ToString("yyyy-MM-dd"), slot.GetProperty("date").GetString());
    }

    [Theory]
    [InlineData("from=2027-01-10&to=2027-01-09")]
    [InlineData("from=2027-01-01&to=2027-04-01")]
    [InlineData("from=yesterday")]
    public async Task Bad_date_ranges_are_400_problems(string query)
    {
        var c = await SlotFixtures.CreateAsync(_api);

        var response = await Gateway.GetAsync($"/doctors/{c.Doctor}/bookingSlots?{query}", Ct);

        await response.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Generating_for_an_unknown_clinic_or_without_one_is_refused()
    {
        var unknown = ((1L << 16) << ClinicIds.ShardBits) | 1;

        await (await Gateway.PostAsJsonAsync("/availability/createBookingSlots", new { clinicId = unknown }, Ct)).AssertProblemAsync(404);
        var missing = await Gateway.PostAsJsonAsync("/availability/createBookingSlots", new { from = "2027-06-01" }, Ct);
        var problem = await missing.AssertProblemAsync(400);
        Assert.Equal(["clinicId"], problem.FieldErrors());
    }
}
