using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests.Web;

/// <summary>
/// The state a web test starts from, made through the API as an administrator or a clinic would make it: a
/// clinic (shard 0) with a doctor of the test's own specialization working three one-hour shifts every day
/// (08:00, 09:00 and 10:00, Europe/Berlin), and the slots of one day generated: three slots, by time.
/// </summary>
public sealed class WebScenario(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public ClinicApi Clinics { get; } = new(app);

    public BookingApi Bookings { get; } = new(app);

    public string WebApp => app.WebAppUrl;

    /// <summary>The day the slots are on: two days ahead, so every slot of it is in the future in every zone.</summary>
    public static DateOnly Day => DateOnly.FromDateTime(DateTime.UtcNow).AddDays(2);

    public async Task<(SlotClinic Clinic, List<long> Slots)> ClinicWithSlotsAsync()
    {
        // Readable names (they show in the README's screenshots); the specialization keeps each test's search apart.
        var specialization = $"Cardiology-{Guid.NewGuid():N}"[..16];
        var created = await Clinics.CreateClinicAsync(shard: 0, name: "Riverside Clinic");
        var clinicId = created.GetProperty("id").GetInt64();
        var doctor = await Clinics.CreateDoctorAsync(clinicId, specialization, "Dr Ada Lee");
        var shifts = new List<long>();
        foreach (var start in new[] { 8, 9, 10 })
        {
            var shift = await Clinics.CreateTimeSlotAsync(clinicId, $"{start:00}:00", $"{start + 1:00}:00");
            await Clinics.CreateTemplateAsync(doctor, shift);
            shifts.Add(shift);
        }
        var clinic = new SlotClinic(clinicId, created.GetProperty("shard").GetInt32(), doctor, shifts[0], specialization, "Europe/Berlin");
        Assert.True(await Clinics.GenerateAsync(clinic.Id, Day, Day) > 0);
        var slots = (await Clinics.DoctorSlotsAsync(clinic.Doctor, Day, Day)).Select(s => s.GetProperty("id").GetInt64()).ToList();
        return (clinic, slots);
    }

    /// <summary>A staff account of the clinic, created by the administrator; answers its email (password <see cref="Tokens.Password"/>).</summary>
    public async Task<string> NewStaffAsync(long clinicId, string name = "Sam Reed")
    {
        var email = Http.UniqueEmail("staff");
        using var response = await app.Gateway.PostAsJsonAsync($"/clinics/{clinicId}/staff", new { name, email, password = Tokens.Password }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return email;
    }

    /// <summary>A patient who signed up through the API: their customer id, token and email.</summary>
    public Task<(long CustomerId, string Token, string Email)> NewPatientAsync(string name) => Tokens.NewCustomerAsync(app, name, Ct);

    /// <summary>Books a slot as the patient (their own token), through the API.</summary>
    public async Task<long> BookAsync(long slotId, string patientToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/bookingSlots/{slotId}/booking") { Content = JsonContent.Create(new { }) }.As(patientToken);
        using var response = await app.Anonymous.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("id").GetInt64();
    }

    public async Task<JsonElement> BookingAsync(long bookingId) => await Bookings.GetBookingAsync(bookingId);
}
