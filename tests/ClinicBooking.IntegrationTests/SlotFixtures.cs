using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>A clinic with one doctor working one shift, each test's own (a unique specialization keeps searches apart).</summary>
public sealed record SlotClinic(long Id, int Shard, long Doctor, long Shift, string Specialization, string TimeZone);

public static class SlotFixtures
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<SlotClinic> CreateAsync(ClinicApi api, int? shard = null, string timeZone = "Europe/Berlin",
        int? weekday = null, string start = "09:00", string end = "13:00")
    {
        var specialization = $"Spec-{Guid.NewGuid():N}"[..16];
        var clinic = await api.CreateClinicAsync(shard, timeZone: timeZone);
        var id = clinic.GetProperty("id").GetInt64();
        var doctor = await api.CreateDoctorAsync(id, specialization);
        var shift = await api.CreateTimeSlotAsync(id, start, end);
        await api.CreateTemplateAsync(doctor, shift, weekday);
        return new SlotClinic(id, clinic.GetProperty("shard").GetInt32(), doctor, shift, specialization, timeZone);
    }

    public static async Task<int> GenerateAsync(this ClinicApi api, long clinicId, DateOnly? from = null, DateOnly? to = null, long? doctorId = null)
    {
        var response = await api.Gateway.PostAsJsonAsync("/availability/createBookingSlots", new { clinicId, from, to, doctorId }, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.ReadJsonAsync()).GetProperty("created").GetInt32();
    }

    public static async Task<List<JsonElement>> DoctorSlotsAsync(this ClinicApi api, long doctorId, DateOnly from, DateOnly to) =>
        (await api.Gateway.GetFromJsonAsync<JsonElement>($"/doctors/{doctorId}/bookingSlots?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}", Ct))
        .EnumerateArray().ToList();

    /// <summary>Books a slot the way the booking saga will, with plain SQL (booking has its own API later).</summary>
    public static Task BookAsync(this ClinicApi api, int shard, long slotId, long customerId) =>
        api.ExecuteAsync(shard, "UPDATE doctor_booking_slots SET customer_id = $1 WHERE id = $2", customerId, slotId);

    public static DateOnly NextYear(int month, int day) => new(DateTime.UtcNow.Year + 1, month, day);
}
