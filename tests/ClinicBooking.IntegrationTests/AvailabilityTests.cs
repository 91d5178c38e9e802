using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

public class AvailabilityTests(ClinicBookingApp app)
{
    private readonly ClinicApi _api = new(app);
    private HttpClient Gateway => _api.Gateway;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static long[] Ids(JsonElement page) =>
        page.GetProperty("items").EnumerateArray().Select(s => s.GetProperty("id").GetInt64()).ToArray();

    [Fact]
    public async Task Clinic_and_doctor_availability_list_free_slots_only_with_filters()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var colleague = await _api.CreateDoctorAsync(c.Id, "Dermatology");
        await _api.CreateTemplateAsync(colleague, c.TimeSlot);
        var from = SlotFixtures.NextYear(3, 10);
        await _api.GenerateAsync(c.Id, from, from.AddDays(2));
        var slots = await _api.DoctorSlotsAsync(c.Doctor, from, from.AddDays(2));
        await _api.BookAsync(slots[1].GetProperty("id").GetInt64());
        var range = $"from={from:yyyy-MM-dd}&to={from.AddDays(2):yyyy-MM-dd}";

        var all = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{c.Id}/availability?{range}", Ct);
        var bySpecialization = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{c.Id}/availability?{range}&specialization={c.Specialization}", Ct);
        var byDoctor = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{c.Id}/availability?{range}&doctorId={colleague}", Ct);
        var doctor = await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{c.Doctor}/availability?{range}", Ct);

        Assert.Equal(5, Ids(all).Length); // 6 slots, one booked
        var expected = new[] { slots[0], slots[2] }.Select(s => s.GetProperty("id").GetInt64()).ToArray();
        Assert.Equal(expected, Ids(bySpecialization));
        Assert.Equal(expected, Ids(doctor));
        Assert.Equal(3, Ids(byDoctor).Length);
        Assert.All(byDoctor.GetProperty("items").EnumerateArray(), s => Assert.Equal("Dermatology", s.GetProperty("specialization").GetString()));
        var starts = all.GetProperty("items").EnumerateArray().Select(s => DateTimeOffset.Parse(s.GetProperty("startsAt").GetString()!)).ToList();
        Assert.Equal(starts.Order(), starts);
    }

    [Theory]
    [InlineData("from=2027-01-01&to=2027-03-01")]
    [InlineData("from=2027-01-05&to=2027-01-01")]
    [InlineData("limit=0")]
    [InlineData("after=nonsense")]
    public async Task Bad_availability_queries_are_400_problems(string query)
    {
        var c = await SlotFixtures.CreateAsync(_api);

        await (await Gateway.GetAsync($"/clinics/{c.Id}/availability?{query}", Ct)).AssertProblemAsync(400);
        await (await Gateway.GetAsync($"/availability/search?{query}", Ct)).AssertProblemAsync(400);
    }

    [Fact]
    public async Task Search_spans_both_shards_in_start_order_and_pages_with_a_cursor()
    {
        var specialization = $"Spec-{Guid.NewGuid():N}"[..16];
        var day = SlotFixtures.NextYear(11, 2);
        // Same specialization in clinics on both shards, shifts interleaved in time.
        var clinics = new List<long>();
        foreach (var (shard, start) in new[] { (0, "08:00"), (1, "09:00"), (0, "10:00"), (1, "11:00") })
        {
            var clinic = await _api.CreateClinicIdAsync(shard);
            var doctor = await _api.CreateDoctorAsync(clinic, specialization);
            var shift = await _api.CreateTimeSlotAsync(clinic, start, $"{int.Parse(start[..2]) + 1:00}:00");
            await _api.CreateTemplateAsync(doctor, shift);
            await _api.GenerateAsync(clinic, day, day);
            clinics.Add(clinic);
        }

        var ids = new List<long>();
        var startTimes = new List<DateTimeOffset>();
        string? cursor = null;
        do
        {
            var page = await Gateway.GetFromJsonAsync<JsonElement>(
                $"/availability/search?date={day:yyyy-MM-dd}&specialization={specialization}&limit=1" + (cursor is null ? "" : $"&after={cursor}"), Ct);
            Assert.False(page.GetProperty("partial").GetBoolean());
            foreach (var slot in page.GetProperty("items").EnumerateArray())
            {
                ids.Add(slot.GetProperty("id").GetInt64());
                startTimes.Add(DateTimeOffset.Parse(slot.GetProperty("startsAt").GetString()!));
            }
            cursor = page.GetProperty("nextCursor").GetString();
        }
        while (cursor is not null && ids.Count < 10);

        Assert.Equal(4, ids.Count);
        Assert.Equal(clinics, ids.Select(ClinicIds.ClinicOf));
        Assert.Equal(startTimes.Order(), startTimes);
        Assert.Equal([0, 1], ids.Select(id => ClinicIds.ShardOfClinic(ClinicIds.ClinicOf(id))).Distinct().Order());

        var onlyOne = await Gateway.GetFromJsonAsync<JsonElement>(
            $"/availability/search?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}&specialization={specialization}&clinicId={clinics[1]}", Ct);
        Assert.Equal([ids[1]], Ids(onlyOne));

        var next = await Gateway.GetFromJsonAsync<JsonElement>($"/availability/next?specialization={specialization}", Ct);
        Assert.Equal(ids[0], next.GetProperty("slot").GetProperty("id").GetInt64());
        var none = await Gateway.GetFromJsonAsync<JsonElement>($"/availability/next?specialization=nobody-{Guid.NewGuid():N}", Ct);
        Assert.Equal(JsonValueKind.Null, none.GetProperty("slot").ValueKind);
    }

    /// <summary>
    /// Issue 26, finding 8: <c>next</c> with a late <c>from</c> walked every slot before it. The reads now start
    /// at <c>from</c> (and per doctor for a specialization); this checks they still answer exactly: the first
    /// free slot on or after <c>from</c>, in the clinic's own date, a booked one skipped.
    /// </summary>
    [Fact]
    public async Task Next_from_a_late_date_answers_the_first_free_slot_on_or_after_it()
    {
        var clinic = await SlotFixtures.CreateAsync(_api, shard: 0, timeZone: "Pacific/Kiritimati");
        var first = SlotFixtures.NextYear(2, 1);
        await _api.GenerateAsync(clinic.Id, first, first.AddDays(27));
        var slots = (await _api.DoctorSlotsAsync(clinic.Doctor, first, first.AddDays(27)))
            .Select(s => (Id: s.GetProperty("id").GetInt64(), Date: DateOnly.Parse(s.GetProperty("date").GetString()!))).ToList();
        var late = first.AddDays(20);
        var expected = slots.Where(s => s.Date >= late).OrderBy(s => s.Date).ToList();
        Assert.True(expected.Count >= 2, "The template should give slots after the late date.");
        // The first one on or after the date is booked: the next free one answers.
        await _api.BookAsync(expected[0].Id);

        var next = await Gateway.GetFromJsonAsync<JsonElement>($"/availability/next?specialization={clinic.Specialization}&from={late:yyyy-MM-dd}", Ct);
        Assert.Equal(expected[1].Id, next.GetProperty("slot").GetProperty("id").GetInt64());
        var search = await Gateway.GetFromJsonAsync<JsonElement>(
            $"/availability/search?from={late:yyyy-MM-dd}&to={late.AddDays(7):yyyy-MM-dd}&specialization={clinic.Specialization.ToUpperInvariant()}", Ct);
        Assert.Equal(expected.Skip(1).Where(s => s.Date <= late.AddDays(7)).Select(s => s.Id), Ids(search));
    }

    [Fact]
    public async Task Writes_show_in_availability_at_once_and_in_search_within_its_bound()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var day = SlotFixtures.NextYear(12, 7);
        var url = $"/clinics/{c.Id}/availability?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}";
        var search = $"/availability/search?date={day:yyyy-MM-dd}&specialization={c.Specialization}";
        Assert.Empty(Ids(await Gateway.GetFromJsonAsync<JsonElement>(url, Ct))); // now cached as empty
        Assert.Empty(Ids(await Gateway.GetFromJsonAsync<JsonElement>(search, Ct)));

        var created = await Gateway.PostAsJsonAsync("/bookingSlots", new { doctorId = c.Doctor, timeSlotId = c.TimeSlot, date = day }, Ct);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();

        Assert.Equal([id], Ids(await Gateway.GetFromJsonAsync<JsonElement>(url, Ct)));
        Assert.Equal([id], await EventuallyAsync(search, ids => ids.Length == 1));

        await _api.Gateway.PatchAsync($"/doctors/{c.Doctor}", Http.Json("""{"name": "Dr Renamed"}""", "application/merge-patch+json"), Ct);
        Assert.Equal("Dr Renamed", (await Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{c.Doctor}", Ct)).GetProperty("name").GetString());
        Assert.Equal("Dr Renamed", (await Gateway.GetFromJsonAsync<JsonElement>(url, Ct)).GetProperty("items")[0].GetProperty("doctorName").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await Gateway.DeleteAsync($"/bookingSlots/{id}", Ct)).StatusCode);
        Assert.Empty(Ids(await Gateway.GetFromJsonAsync<JsonElement>(url, Ct)));
        Assert.Empty(await EventuallyAsync(search, ids => ids.Length == 0));
    }

    /// <summary>Polls the gateway's search until it matches, failing after its stated cache bound (2 s) plus slack.</summary>
    private async Task<long[]> EventuallyAsync(string url, Func<long[], bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(3);
        while (true)
        {
            var ids = Ids(await Gateway.GetFromJsonAsync<JsonElement>(url, Ct));
            if (done(ids) || DateTime.UtcNow > deadline)
            {
                return ids;
            }
            await Task.Delay(200, Ct);
        }
    }

    [Fact]
    public async Task With_Redis_down_everything_still_answers_from_the_database()
    {
        var c = await SlotFixtures.CreateAsync(_api);
        var day = SlotFixtures.NextYear(12, 20);
        await _api.GenerateAsync(c.Id, day, day);

        await app.StopAsync(ResourceNames.Redis);
        try
        {
            Assert.Equal(HttpStatusCode.OK, (await Gateway.GetAsync($"/clinics/{c.Id}", Ct)).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Gateway.GetAsync($"/doctors/{c.Doctor}", Ct)).StatusCode);
            var doctor = await _api.CreateDoctorAsync(c.Id, c.Specialization);
            await _api.CreateTemplateAsync(doctor, c.TimeSlot);
            Assert.Equal(1, await _api.GenerateAsync(c.Id, day, day));
            var availability = await Gateway.GetFromJsonAsync<JsonElement>($"/clinics/{c.Id}/availability?from={day:yyyy-MM-dd}&to={day:yyyy-MM-dd}", Ct);
            Assert.Equal(2, Ids(availability).Length);
            var search = await Gateway.GetFromJsonAsync<JsonElement>($"/availability/search?date={day:yyyy-MM-dd}&specialization={c.Specialization}", Ct);
            Assert.Equal(2, Ids(search).Length);
            Assert.Equal(HttpStatusCode.OK, (await Gateway.GetAsync("/clinics", Ct)).StatusCode);
        }
        finally
        {
            await app.StartAsync(ResourceNames.Redis);
        }
    }

    [Fact]
    public async Task Search_says_when_a_cell_did_not_answer()
    {
        var c = await SlotFixtures.CreateAsync(_api, shard: 0);
        var day = SlotFixtures.NextYear(12, 27);
        await _api.GenerateAsync(c.Id, day, day);
        var cell1 = ResourceNames.ClinicCell(1);

        await app.StopAsync(cell1);
        try
        {
            var search = await Gateway.GetFromJsonAsync<JsonElement>($"/availability/search?date={day:yyyy-MM-dd}&specialization={c.Specialization}", Ct);
            Assert.True(search.GetProperty("partial").GetBoolean());
            Assert.Equal([cell1], search.GetProperty("unavailableCells").EnumerateArray().Select(x => x.GetString()));
            Assert.Single(Ids(search)); // shard 0 still answers
        }
        finally
        {
            await app.StartAsync(cell1);
        }
    }
}
