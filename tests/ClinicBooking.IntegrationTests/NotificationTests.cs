using System.Net;
using System.Net.Http.Json;
using Ical.Net;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Mail about bookings, end to end: the cells' and CustomerService's messages reach NotificationService over
/// RabbitMQ, and it sends through a real SMTP server (smtp4dev), whose inbox the tests read as a mail client.
/// </summary>
public sealed class NotificationTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly BookingApi _bookings = new(app);

    [Fact]
    public async Task A_confirmed_booking_sends_one_confirmation_with_a_calendar_entry_in_the_clinic_time()
    {
        var (email, bookingId, booking) = await BookConfirmedAsync();

        var mails = await app.Inbox.WaitForAsync(email, m => m.Count >= 1);
        var confirmation = Assert.Single(mails);
        Assert.StartsWith("Confirmed:", confirmation.Subject);
        Assert.Contains("Europe/Berlin", confirmation.Text);
        var startsAt = booking.GetProperty("startsAt").GetDateTimeOffset(); // in the clinic's offset
        Assert.Contains(startsAt.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), confirmation.Text);

        var calendar = Calendar.Load(Assert.Single(confirmation.Calendars))!;
        Assert.Equal("REQUEST", calendar.Method);
        var entry = Assert.Single(calendar.Events);
        Assert.Equal($"booking-{bookingId}@clinicbooking", entry.Uid);
        Assert.Equal("Europe/Berlin", entry.DtStart!.TzId);
        Assert.Equal(startsAt.DateTime, entry.DtStart.Value);
        Assert.Equal(startsAt.UtcDateTime, entry.DtStart.AsUtc);
    }

    [Fact]
    public async Task A_booking_the_patient_cancels_sends_one_CANCEL_for_the_same_calendar_entry_saying_who_cancelled()
    {
        // A patient who signed up (IdentityService creates the customer) books and cancels for themselves.
        var (_, token, email) = await Tokens.NewCustomerAsync(app, "Carl Cancel", Ct);
        var slot = await _bookings.CreateSlotAsync();
        using var booked = await app.Anonymous.SendAsync(
            new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slot}/booking") { Content = JsonContent.Create(new { }) }.As(token), Ct);
        Assert.True(booked.IsSuccessStatusCode, await booked.Content.ReadAsStringAsync(Ct));
        var bookingId = BookingApi.Id(await booked.ReadJsonAsync());
        Assert.Equal("confirmed", BookingApi.Status(await _bookings.WaitForDecisionAsync(bookingId)));
        await app.Inbox.WaitForAsync(email, m => m.Count >= 1);

        using var cancelled = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"/bookings/{bookingId}").As(token), Ct);
        Assert.Equal(HttpStatusCode.OK, cancelled.StatusCode);
        // The booking says who cancelled it, and so does the message NotificationService gets.
        Assert.Equal(Messages.CancelReasons.ByCustomer, (await cancelled.ReadJsonAsync()).GetProperty("reason").GetString());

        var mails = await app.Inbox.WaitForAsync(email, m => m.Any(x => x.Subject.StartsWith("Cancelled:", StringComparison.Ordinal)));
        Assert.Equal(2, mails.Count);
        Assert.Contains("is cancelled: you cancelled it.", mails[1].Text);
        var request = Calendar.Load(Assert.Single(mails[0].Calendars))!.Events.Single();
        var cancel = Calendar.Load(Assert.Single(mails[1].Calendars))!;
        Assert.Equal("CANCEL", cancel.Method);
        Assert.Equal(request.Uid, cancel.Events.Single().Uid);
        Assert.True(cancel.Events.Single().Sequence > request.Sequence, "A cancellation outranks the request it cancels (SEQUENCE).");
        Assert.Equal("CANCELLED", cancel.Events.Single().Status);
    }

    [Fact]
    public async Task A_booking_that_was_never_confirmed_sends_nothing()
    {
        var email = Http.UniqueEmail("inactive");
        var customer = await CreateCustomerAsync(email);
        Assert.Equal(HttpStatusCode.NoContent, (await app.Gateway.DeleteAsync($"/customers/{customer}", Ct)).StatusCode);
        var slot = await _bookings.CreateSlotAsync();
        var response = await _bookings.BookAsync(slot, customer);
        // Refused at once (the customer is known to be inactive) or rejected by the saga: either way no mail.
        if (response.IsSuccessStatusCode)
        {
            Assert.Equal("rejected", BookingApi.Status(await _bookings.WaitForDecisionAsync(BookingApi.Id(await response.ReadJsonAsync()))));
        }

        // A confirmed booking of another customer, made after, is mailed: once it arrives, this one's would have too.
        var (other, _, _) = await BookConfirmedAsync();
        await app.Inbox.WaitForAsync(other, m => m.Count >= 1);
        Assert.Empty(await app.Inbox.ToAsync(email));
    }

    [Fact]
    public async Task A_clinics_sender_name_and_reminder_times_are_its_staffs_to_set()
    {
        var slot = await _bookings.CreateSlotsAsync(1);
        var clinic = slot.Clinic.Id;
        using var staff = app.CreateClient(ResourceNames.Gateway, await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, clinic, Ct));
        using var saved = await staff.PutAsJsonAsync($"/notifications/clinics/{clinic}/settings",
            new { reminderLeadHours = new[] { 2, 48 }, senderName = "Riverside Clinic" }, Ct);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal([48, 2], (await saved.ReadJsonAsync()).GetProperty("reminderLeadHours").EnumerateArray().Select(h => h.GetInt32()));
        // Refused: a header injection in the name, too many reminders; another clinic's staff see nothing.
        using var bad = await staff.PutAsJsonAsync($"/notifications/clinics/{clinic}/settings",
            new { reminderLeadHours = new[] { 1, 2, 3, 4 }, senderName = "Evil\r\nBcc: x@example.com" }, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var errors = (await bad.ReadJsonAsync()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("reminderLeadHours", out _) && errors.TryGetProperty("senderName", out _), errors.ToString());
        var other = await _bookings.Clinics.CreateClinicIdAsync();
        using var otherStaff = app.CreateClient(ResourceNames.Gateway, await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, other, Ct));
        Assert.Equal(HttpStatusCode.NotFound, (await otherStaff.GetAsync($"/notifications/clinics/{clinic}/settings", Ct)).StatusCode);

        // A booking there: its mail comes from the clinic's name.
        var email = Http.UniqueEmail("sender");
        var customer = await CreateCustomerAsync(email);
        using var booked = await _bookings.BookAsync(slot.Slots[0], customer);
        Assert.Equal("confirmed", BookingApi.Status(await _bookings.WaitForDecisionAsync(BookingApi.Id(await booked.ReadJsonAsync()))));
        var mail = Assert.Single(await app.Inbox.WaitForAsync(email, m => m.Count >= 1));
        var from = Assert.Single(mail.Message.From.Mailboxes);
        Assert.Equal(("Riverside Clinic", "no-reply@clinicbooking.local"), (from.Name, from.Address));
    }

    [Fact]
    public async Task Text_messages_follow_each_customers_choice_to_their_E164_number_and_none_reach_one_who_opted_out()
    {
        // Two patients with London numbers of their own, one written as a caller there would ("020 7..."), which
        // the default region (GB) reads; both are sent as E.164.
        var (inLocal, outLocal) = (Random.Shared.Next(1_000_000, 9_999_999), Random.Shared.Next(1_000_000, 9_999_999));
        var (optedIn, inToken, inEmail) = await Tokens.NewCustomerAsync(app, "Tess Texted", Ct, phone: $"020 7{inLocal}");
        var (optedOut, outToken, outEmail) = await Tokens.NewCustomerAsync(app, "Otto Optout", Ct, phone: $"+44 20 7{outLocal}");
        Assert.Equal(HttpStatusCode.OK, (await PutPreferencesAsync(optedIn, inToken, texts: true)).StatusCode);
        using var saved = await PutPreferencesAsync(optedOut, outToken, texts: false);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.False((await saved.ReadJsonAsync()).GetProperty("smsReminders").GetBoolean());
        // Nobody else sets them: another customer gets 404, an administrator (who may read them) 403.
        Assert.Equal(HttpStatusCode.NotFound, (await PutPreferencesAsync(optedIn, outToken, texts: false)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PutPreferencesAsync(optedIn, app.AdministratorToken, texts: false)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.Gateway.GetAsync($"/notifications/preferences/{optedIn}", Ct)).StatusCode);

        // The one who opted out books first: the dispatcher decides in the order things are due, so once the
        // second patient's text has arrived, the first one's was decided.
        await BookAsAsync(outToken);
        await BookAsAsync(inToken);

        using var provider = app.CreateServiceClient(ResourceNames.NotificationService);
        var text = Assert.Single(await WaitForTextsAsync(provider, $"+44207{inLocal}", count: 1));
        Assert.StartsWith("ClinicBooking: confirmed", text.GetProperty("body").GetString());
        Assert.Empty(await TextsAsync(provider, $"+44207{outLocal}"));
        // Mail is another channel: both got their confirmation.
        await app.Inbox.WaitForAsync(outEmail, m => m.Count >= 1);
        await app.Inbox.WaitForAsync(inEmail, m => m.Count >= 1);
    }

    /// <summary>Every mail, and every text message or none.</summary>
    private async Task<HttpResponseMessage> PutPreferencesAsync(long customerId, string token, bool texts) =>
        await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Put, $"/notifications/preferences/{customerId}")
        {
            Content = JsonContent.Create(new
            {
                emailConfirmations = true, emailCancellations = true, emailReminders = true,
                smsConfirmations = texts, smsCancellations = texts, smsReminders = texts,
            }),
        }.As(token), Ct);

    private async Task BookAsAsync(string token)
    {
        var slot = await _bookings.CreateSlotAsync();
        using var booked = await app.Anonymous.SendAsync(
            new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slot}/booking") { Content = JsonContent.Create(new { }) }.As(token), Ct);
        Assert.True(booked.IsSuccessStatusCode, await booked.Content.ReadAsStringAsync(Ct));
        Assert.Equal("confirmed", BookingApi.Status(await _bookings.WaitForDecisionAsync(BookingApi.Id(await booked.ReadJsonAsync()))));
    }

    /// <summary>What the local SMS provider received for a number (E.164).</summary>
    private static async Task<List<System.Text.Json.JsonElement>> TextsAsync(HttpClient provider, string to) =>
        [.. (await provider.GetFromJsonAsync<System.Text.Json.JsonElement>($"/operations/fake-sms?to={Uri.EscapeDataString(to)}", Ct)).EnumerateArray()];

    private static async Task<List<System.Text.Json.JsonElement>> WaitForTextsAsync(HttpClient provider, string to, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var texts = await TextsAsync(provider, to);
            if (texts.Count >= count || DateTime.UtcNow > deadline)
            {
                return texts;
            }
            await Task.Delay(250, Ct);
        }
    }

    private async Task<long> CreateCustomerAsync(string email)
    {
        var created = await app.Gateway.PostAsJsonAsync("/customers", new { name = "Mail Mia", email }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
    }

    private async Task<(string Email, long BookingId, System.Text.Json.JsonElement Booking)> BookConfirmedAsync()
    {
        var email = Http.UniqueEmail("mailed");
        var customer = await CreateCustomerAsync(email);
        var slot = await _bookings.CreateSlotAsync();
        var response = await _bookings.BookAsync(slot, customer);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        var bookingId = BookingApi.Id(await response.ReadJsonAsync());
        var booking = await _bookings.WaitForDecisionAsync(bookingId);
        Assert.Equal("confirmed", BookingApi.Status(booking));
        return (email, bookingId, booking);
    }
}
