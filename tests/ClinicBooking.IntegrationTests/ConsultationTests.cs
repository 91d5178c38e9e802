using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Ical.Net;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Online appointments, end to end: a clinic offers a shift online, a patient books it, the cell's message reaches
/// ConsultationService over RabbitMQ, which makes the meeting at the local video provider (its join pages on the
/// gateway); the links reach their holders only, and a cancel closes them.
/// </summary>
public sealed class ConsultationTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly BookingApi _bookings = new(app);

    [Fact]
    public async Task An_online_booking_gets_one_meeting_with_two_distinct_links_and_a_cancel_closes_them()
    {
        var online = await OnlineSoonAsync();
        var (_, patient, email) = await Tokens.NewCustomerAsync(app, "Olive Online", Ct);
        var staff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, online.ClinicId, Ct);

        // The patient finds it when they ask for online appointments, and not when they ask for in-person ones.
        Assert.Contains(await AvailableAsync(online.ClinicId, "online"), s => s.GetProperty("id").GetInt64() == online.SlotId
            && s.GetProperty("mode").GetString() == "online");
        Assert.DoesNotContain(await AvailableAsync(online.ClinicId, "in-person"), s => s.GetProperty("id").GetInt64() == online.SlotId);

        var bookingId = await BookAsync(online.SlotId, patient, mode: null);
        Assert.Equal("online", (await _bookings.GetBookingAsync(bookingId)).GetProperty("mode").GetString());

        // The meeting is made after the booking, not in it; the patient's link appears once it is.
        var mine = await WaitForConsultationAsync(bookingId, patient, c => c.GetProperty("status").GetString() == "scheduled");
        Assert.Equal("patient", mine.GetProperty("joinAs").GetString());
        var patientUrl = mine.GetProperty("joinUrl").GetString()!;
        var doctors = await ConsultationAsync(bookingId, staff);
        Assert.Equal("doctor", doctors.GetProperty("joinAs").GetString());
        var doctorUrl = doctors.GetProperty("joinUrl").GetString()!;
        Assert.NotEqual(patientUrl, doctorUrl);
        Assert.Equal(mine.GetProperty("startsAt").GetDateTimeOffset(), (await _bookings.GetBookingAsync(bookingId)).GetProperty("startsAt").GetDateTimeOffset());

        // Exactly one meeting at the provider for the booking.
        var meeting = Assert.Single(await MeetingsAsync(bookingId));

        // Each link opens the meeting as its holder; a link turned into the other holder's opens nothing.
        using (var joined = await app.Anonymous.GetAsync(patientUrl, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, joined.StatusCode);
            Assert.Contains("You joined as the patient", await joined.Content.ReadAsStringAsync(Ct));
        }
        using (var joined = await app.Anonymous.GetAsync(doctorUrl, Ct))
        {
            Assert.Contains("You joined as the doctor", await joined.Content.ReadAsStringAsync(Ct));
        }
        using (var forged = await app.Anonymous.GetAsync(patientUrl.Replace("as=patient", "as=doctor"), Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        }
        Assert.Equal(["patient", "doctor"], Assert.Single(await MeetingsAsync(bookingId)).GetProperty("joins").EnumerateArray()
            .Select(j => j.GetProperty("participant").GetString()));

        // The confirmation mail carries the appointment's page, in its text and as its calendar entry's place.
        var confirmation = Assert.Single(await app.Inbox.WaitForAsync(email, m => m.Count >= 1));
        var page = $"{app.WebAppUrl}/consultations/{bookingId}";
        Assert.Contains(page, confirmation.Text);
        var entry = Calendar.Load(Assert.Single(confirmation.Calendars))!.Events.Single();
        Assert.Contains(page, entry.Location);
        Assert.Equal(page, entry.Url?.ToString());

        // The patient cancels: the meeting is cancelled and both links stop working.
        using (var cancelled = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/bookings/{bookingId}").As(patient), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        }
        var closed = await WaitForConsultationAsync(bookingId, patient, c => c.GetProperty("status").GetString() == "cancelled");
        Assert.Equal(JsonValueKind.Null, closed.GetProperty("joinUrl").ValueKind);
        await Http.WaitUntilAsync(async () => (await MeetingsAsync(bookingId)).Single().GetProperty("cancelledAt").ValueKind != JsonValueKind.Null);
        Assert.Equal(meeting.GetProperty("id").GetString(), Assert.Single(await MeetingsAsync(bookingId)).GetProperty("id").GetString());
        foreach (var url in new[] { patientUrl, doctorUrl })
        {
            using var gone = await app.Anonymous.GetAsync(url, Ct);
            Assert.Equal(HttpStatusCode.Gone, gone.StatusCode);
        }
    }

    [Fact]
    public async Task An_in_person_booking_gets_no_video_call()
    {
        var online = await OnlineSoonAsync();
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Ivan Inperson", Ct);
        var inPerson = await _bookings.CreateSlotAsync();

        var inPersonBooking = await BookAsync(inPerson, patient, mode: null);
        Assert.Equal("in-person", (await _bookings.GetBookingAsync(inPersonBooking)).GetProperty("mode").GetString());
        // A later online booking's meeting shows the service has read past the in-person one.
        var onlineBooking = await BookAsync(online.SlotId, patient, mode: null);
        await WaitForConsultationAsync(onlineBooking, patient, c => c.GetProperty("status").GetString() == "scheduled");

        using var none = await SendAsync(HttpMethod.Get, $"/consultations/{inPersonBooking}", patient);
        await none.AssertProblemAsync(404);
        var listed = await ListAsync("/consultations", patient);
        Assert.Equal([onlineBooking], listed.Select(c => c.GetProperty("bookingId").GetInt64()));
        Assert.Empty(await MeetingsAsync(inPersonBooking));
    }

    [Fact]
    public async Task A_provider_outage_delays_the_link_never_the_booking_and_the_link_appears_once_it_recovers()
    {
        var online = await OnlineSoonAsync();
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Paula Patient", Ct);
        await SetOutageAsync(down: true);
        try
        {
            // The booking is confirmed at once, whatever the video service does.
            var bookingId = await BookAsync(online.SlotId, patient, mode: null);

            // The meeting is tried again and again, and operators see why it is late.
            await Http.WaitUntilAsync(async () => (await OperationsAsync()).GetProperty("behind").EnumerateArray()
                .Any(b => b.GetProperty("bookingId").GetInt64() == bookingId && b.GetProperty("attempts").GetInt32() >= 2
                          && b.GetProperty("lastError").GetString()!.Contains("down on purpose", StringComparison.Ordinal)));
            var waiting = await ConsultationAsync(bookingId, patient);
            Assert.Equal("scheduling", waiting.GetProperty("status").GetString());
            Assert.Equal(JsonValueKind.Null, waiting.GetProperty("joinUrl").ValueKind);
            Assert.Equal("confirmed", BookingApi.Status(await _bookings.GetBookingAsync(bookingId)));

            await SetOutageAsync(down: false);
            var ready = await WaitForConsultationAsync(bookingId, patient, c => c.GetProperty("status").GetString() == "scheduled");
            Assert.NotEqual(JsonValueKind.Null, ready.GetProperty("joinUrl").ValueKind);
            Assert.Single(await MeetingsAsync(bookingId));
            Assert.DoesNotContain((await OperationsAsync()).GetProperty("behind").EnumerateArray(), b => b.GetProperty("bookingId").GetInt64() == bookingId);
        }
        finally
        {
            await SetOutageAsync(down: false);
        }
    }

    [Fact]
    public async Task Links_are_refused_to_other_customers_to_staff_of_other_clinics_and_to_administrators()
    {
        var online = await OnlineSoonAsync();
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Hana Holder", Ct);
        var (_, stranger, _) = await Tokens.NewCustomerAsync(app, "Sid Stranger", Ct);
        var otherClinic = await _bookings.Clinics.CreateClinicIdAsync();
        var otherStaff = await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, otherClinic, Ct);
        var bookingId = await BookAsync(online.SlotId, patient, mode: null);
        await WaitForConsultationAsync(bookingId, patient, c => c.GetProperty("status").GetString() == "scheduled");

        // Another customer, or another clinic's staff: as if there were nothing (404), in the list as one by one.
        foreach (var token in new[] { stranger, otherStaff })
        {
            using var refused = await SendAsync(HttpMethod.Get, $"/consultations/{bookingId}", token);
            Assert.DoesNotContain("/video/", (await refused.AssertProblemAsync(404)).GetRawText());
        }
        Assert.Empty(await ListAsync("/consultations", stranger));
        Assert.Empty(await ListAsync($"/consultations?clinicId={otherClinic}", otherStaff));
        using (var notTheirs = await SendAsync(HttpMethod.Get, $"/consultations?clinicId={online.ClinicId}", otherStaff))
        {
            await notTheirs.AssertProblemAsync(404);
        }
        // Administrators run the platform, they do not join calls: 403, and without a token 401.
        using (var administrator = await app.Gateway.GetAsync($"/consultations/{bookingId}", Ct))
        {
            await administrator.AssertProblemAsync(403);
        }
        using (var anonymous = await app.Anonymous.GetAsync($"/consultations/{bookingId}", Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        }
    }

    [Fact]
    public async Task A_slot_is_booked_as_it_offers_and_a_template_may_offer_otherwise_than_its_shift()
    {
        var api = _bookings.Clinics;
        var clinic = await SlotFixtures.CreateAsync(api);
        var (_, patient, _) = await Tokens.NewCustomerAsync(app, "Eve Either", Ct);
        var day = SlotFixtures.NextYear(2, 1);

        // The shift is in person; the doctor's template says online: the generated slots are online.
        var template = (await api.Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{clinic.Doctor}/slots", Ct)).EnumerateArray().Single();
        using (var replaced = await api.Gateway.PutAsJsonAsync($"/doctors/slots/{template.GetProperty("id").GetInt64()}",
                   new { timeSlotId = clinic.TimeSlot, weekday = (int?)null, mode = "online" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        }
        await api.GenerateAsync(clinic.Id, day, day.AddDays(1));
        var slots = await api.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(1));
        Assert.All(slots, s => Assert.Equal("online", s.GetProperty("mode").GetString()));

        // Online only: booking it in person is refused, and says how.
        using (var refused = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slots[0].GetProperty("id").GetInt64()}/booking", patient, new { mode = "in-person" }))
        {
            Assert.Contains("online only", (await refused.AssertProblemAsync(409)).GetProperty("detail").GetString());
        }

        // The shift now offers either: the free slots follow, and the patient chooses.
        using (var either = await api.Gateway.PutAsJsonAsync($"/doctors/slots/{template.GetProperty("id").GetInt64()}",
                   new { timeSlotId = clinic.TimeSlot, weekday = (int?)null, mode = "either" }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, either.StatusCode);
        }
        var slot = slots[1].GetProperty("id").GetInt64();
        Assert.Contains(await AvailableAsync(clinic.Id, "in-person", day), s => s.GetProperty("id").GetInt64() == slot && s.GetProperty("mode").GetString() == "either");
        var bookingId = await BookAsync(slot, patient, mode: "online");
        Assert.Equal("online", (await _bookings.GetBookingAsync(bookingId)).GetProperty("mode").GetString());

        // The template leaves it to the shift again, and the shift turns online: its free slots follow, the
        // booked one keeps what it was booked as.
        using (var shiftsOwn = await api.Gateway.PutAsJsonAsync($"/doctors/slots/{template.GetProperty("id").GetInt64()}",
                   new { timeSlotId = clinic.TimeSlot, weekday = (int?)null, mode = (string?)null }, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, shiftsOwn.StatusCode);
        }
        var shift = await api.Gateway.GetFromJsonAsync<JsonElement>($"/timeslots/{clinic.TimeSlot}", Ct);
        Assert.Equal("in-person", shift.GetProperty("mode").GetString());
        using (var turned = await api.Gateway.PutAsJsonAsync($"/timeslots/{clinic.TimeSlot}", new
               {
                   name = shift.GetProperty("name").GetString(),
                   startTime = shift.GetProperty("startTime").GetString(),
                   endTime = shift.GetProperty("endTime").GetString(),
                   mode = "online",
               }, Ct))
        {
            Assert.Equal("online", (await turned.ReadJsonAsync()).GetProperty("mode").GetString());
        }
        var modes = (await api.DoctorSlotsAsync(clinic.Doctor, day, day.AddDays(1))).ToDictionary(s => s.GetProperty("id").GetInt64(), s => s.GetProperty("mode").GetString());
        Assert.Equal("online", modes[slots[0].GetProperty("id").GetInt64()]);
        Assert.Equal("either", modes[slot]);

        // Not a mode: 400.
        using var invalid = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slots[0].GetProperty("id").GetInt64()}/booking", patient, new { mode = "telepathy" });
        await invalid.AssertProblemAsync(400);
    }

    private async Task<(long ClinicId, long SlotId)> OnlineSoonAsync()
    {
        var soon = await _bookings.Clinics.OnlineSoonAsync();
        return (soon.ClinicId, soon.SlotId);
    }

    private async Task<List<JsonElement>> AvailableAsync(long clinicId, string mode, DateOnly? from = null)
    {
        var query = from is { } day ? $"&from={day:yyyy-MM-dd}&to={day.AddDays(1):yyyy-MM-dd}" : "";
        var page = await app.Anonymous.GetFromJsonAsync<JsonElement>($"/clinics/{clinicId}/availability?mode={mode}{query}", Ct);
        return [.. page.GetProperty("items").EnumerateArray()];
    }

    private async Task<long> BookAsync(long slotId, string token, string? mode)
    {
        using var booked = await SendAsync(HttpMethod.Put, $"/bookingSlots/{slotId}/booking", token, new { mode });
        Assert.True(booked.IsSuccessStatusCode, await booked.Content.ReadAsStringAsync(Ct));
        var bookingId = BookingApi.Id(await booked.ReadJsonAsync());
        Assert.Equal("confirmed", BookingApi.Status(await _bookings.WaitForDecisionAsync(bookingId)));
        return bookingId;
    }

    private Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body = null) =>
        app.Anonymous.SendAsync(new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) }.As(token), Ct);

    private async Task<JsonElement> ConsultationAsync(long bookingId, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, $"/consultations/{bookingId}", token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return await response.ReadJsonAsync();
    }

    private async Task<JsonElement> WaitForConsultationAsync(long bookingId, string token, Func<JsonElement, bool> done)
    {
        JsonElement last = default;
        await Http.WaitUntilAsync(async () =>
        {
            using var response = await SendAsync(HttpMethod.Get, $"/consultations/{bookingId}", token);
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return false;
            }
            last = await response.ReadJsonAsync();
            return done(last);
        }, seconds: 90);
        return last;
    }

    private async Task<List<JsonElement>> ListAsync(string path, string token)
    {
        using var response = await SendAsync(HttpMethod.Get, path, token);
        Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync(Ct));
        return [.. (await response.ReadJsonAsync()).EnumerateArray()];
    }

    /// <summary>The local video provider's meetings for the booking (operators' view, straight from ConsultationService).</summary>
    private async Task<List<JsonElement>> MeetingsAsync(long bookingId)
    {
        using var service = app.CreateServiceClient(ResourceNames.ConsultationService);
        return [.. (await service.GetFromJsonAsync<JsonElement>($"/operations/local-video?reference=booking-{bookingId}", Ct)).EnumerateArray()];
    }

    private async Task<JsonElement> OperationsAsync()
    {
        using var service = app.CreateServiceClient(ResourceNames.ConsultationService);
        return await service.GetFromJsonAsync<JsonElement>("/operations/consultations", Ct);
    }

    private async Task SetOutageAsync(bool down)
    {
        using var service = app.CreateServiceClient(ResourceNames.ConsultationService);
        using var response = await service.PutAsJsonAsync("/operations/local-video/outage", new { down }, CancellationToken.None);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }
}
