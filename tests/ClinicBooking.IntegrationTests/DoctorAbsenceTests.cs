using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// A doctor's sudden absence, end to end: the clinic's staff mark the days; the free slots on them go, the
/// booked ones are cancelled, and each patient gets one cancellation mail (through the real SMTP server) that
/// says why and how to rebook; generation makes no slots on those days afterwards.
/// </summary>
public sealed class DoctorAbsenceTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly BookingApi _bookings = new(app);

    [Fact]
    public async Task A_doctors_absence_cancels_and_notifies_each_affected_patient_exactly_once()
    {
        // One slot a day for four days; two patients book the first two days.
        var clinics = _bookings.Clinics;
        var clinic = await SlotFixtures.CreateAsync(clinics);
        var first = SlotFixtures.NextYear(2, 2);
        Assert.Equal(4, await clinics.GenerateAsync(clinic.Id, first, first.AddDays(3)));
        var slots = (await clinics.DoctorSlotsAsync(clinic.Doctor, first, first.AddDays(3))).Select(s => s.GetProperty("id").GetInt64()).ToList();
        var patients = new List<(long Customer, string Email, long Booking)>();
        foreach (var slot in slots.Take(2))
        {
            var email = Http.UniqueEmail("absent-doctor");
            using var created = await app.Gateway.PostAsJsonAsync("/customers", new { name = "Pat Waiting", email }, Ct);
            var customer = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();
            using var booked = await _bookings.BookAsync(slot, customer);
            var booking = BookingApi.Id(await booked.ReadJsonAsync());
            Assert.Equal("confirmed", BookingApi.Status(await _bookings.WaitForDecisionAsync(booking)));
            await app.Inbox.WaitForAsync(email, m => m.Count >= 1);
            patients.Add((customer, email, booking));
        }
        using var staff = await StaffClientAsync(clinic.Id);

        // Away the first three days: two bookings cancelled, the third day's free slot removed, the fourth kept.
        using var marked = await staff.PostAsJsonAsync($"/doctors/{clinic.Doctor}/absences",
            new { from = first, to = first.AddDays(2), note = "Off sick: note-7f3a" }, Ct);
        Assert.Equal(HttpStatusCode.Created, marked.StatusCode);
        var outcome = await marked.ReadJsonAsync();
        Assert.Equal(2, outcome.GetProperty("bookingsCancelled").GetInt32());
        Assert.Equal(3, outcome.GetProperty("freeSlotsRemoved").GetInt32()); // the free one, and the two the cancels freed
        Assert.Equal([slots[3]], (await clinics.DoctorSlotsAsync(clinic.Doctor, first, first.AddDays(3))).Select(s => s.GetProperty("id").GetInt64()));
        foreach (var (_, _, booking) in patients)
        {
            var cancelled = await _bookings.GetBookingAsync(booking);
            Assert.Equal(("cancelled", Messages.CancelReasons.DoctorAbsent), (BookingApi.Status(cancelled), cancelled.GetProperty("reason").GetString()));
        }
        // Nor does a slot made by hand, or moved there; generation makes none on those days; marking the same
        // days again cancels nothing more.
        using (var byHand = await staff.PostAsJsonAsync("/bookingSlots", new { doctorId = clinic.Doctor, timeSlotId = clinic.TimeSlot, date = first.AddDays(1) }, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, byHand.StatusCode);
        }
        using (var moved = await staff.PutAsJsonAsync($"/bookingSlots/{slots[3]}", new { timeSlotId = clinic.TimeSlot, date = first }, Ct))
        {
            Assert.Equal(HttpStatusCode.Conflict, moved.StatusCode);
        }
        Assert.Equal(0, await clinics.GenerateAsync(clinic.Id, first, first.AddDays(3)));
        using var again = await staff.PostAsJsonAsync($"/doctors/{clinic.Doctor}/absences", new { from = first, to = first.AddDays(2) }, Ct);
        Assert.Equal(0, (await again.ReadJsonAsync()).GetProperty("bookingsCancelled").GetInt32());
        var listed = await staff.GetFromJsonAsync<JsonElement>($"/doctors/{clinic.Doctor}/absences", Ct);
        Assert.Contains(listed.EnumerateArray(), a => a.GetProperty("note").GetString() == "Off sick: note-7f3a");

        // Each patient: one cancellation, saying why and where to rebook. The first patient then books the fourth
        // day; once that confirmation is in, a second cancellation would have arrived before it.
        using (var rebooked = await _bookings.BookAsync(slots[3], patients[0].Customer))
        {
            Assert.Equal(HttpStatusCode.Created, rebooked.StatusCode);
        }
        var mails = await app.Inbox.WaitForAsync(patients[0].Email, m => m.Count >= 3);
        Assert.Equal(["Confirmed:", "Cancelled:", "Confirmed:"], mails.Select(m => m.Subject.Split(' ')[0]));
        var others = await app.Inbox.WaitForAsync(patients[1].Email, m => m.Any(x => x.Subject.StartsWith("Cancelled:", StringComparison.Ordinal)));
        Assert.Single(others, m => m.Subject.StartsWith("Cancelled:", StringComparison.Ordinal));
        foreach (var cancellation in new[] { mails[1], others.Single(m => m.Subject.StartsWith("Cancelled:", StringComparison.Ordinal)) })
        {
            Assert.Contains("is unavailable that day", cancellation.Text);
            Assert.Contains($"/doctors/{clinic.Doctor}", cancellation.Text);
            Assert.Contains($"specialization={Uri.EscapeDataString(clinic.Specialization)}&clinicId={clinic.Id}", cancellation.Text);
            Assert.DoesNotContain("note-7f3a", cancellation.Text); // the note is the clinic's, not the patients'
            Assert.Equal("CANCEL", Ical.Net.Calendar.Load(Assert.Single(cancellation.Calendars))!.Method);
        }
    }

    [Fact]
    public async Task An_absence_is_refused_when_it_is_over_backwards_or_longer_than_a_year()
    {
        var clinic = await SlotFixtures.CreateAsync(_bookings.Clinics);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        foreach (var (from, to, field) in new[]
        {
            (today.AddDays(-10), today.AddDays(-3), "to"),
            (today.AddDays(5), today.AddDays(4), "to"),
            (today.AddDays(1), today.AddDays(400), "to"),
        })
        {
            using var response = await app.Gateway.PostAsJsonAsync($"/doctors/{clinic.Doctor}/absences", new { from, to }, Ct);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.True((await response.ReadJsonAsync()).GetProperty("errors").TryGetProperty(field, out _));
        }
    }

    /// <summary>The gateway as a new staff member of the clinic.</summary>
    private async Task<HttpClient> StaffClientAsync(long clinicId) =>
        app.CreateClient(ResourceNames.Gateway, await Tokens.NewStaffAsync(app.Gateway, app.Anonymous, clinicId, Ct));
}
