using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>A clinic with one doctor working one shift, each test's own (a unique specialization keeps searches apart).</summary>
public sealed record SlotClinic(long Id, int Shard, long Doctor, long TimeSlot, string Specialization, string TimeZone);

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

    /// <summary>Books a slot through the API for a new customer; returns the booking's and the customer's ids.</summary>
    public static async Task<(long Booking, long Customer)> BookAsync(this ClinicApi api, long slotId)
    {
        var bookings = new BookingApi(api.App);
        var customer = await bookings.CreateCustomerAsync();
        var response = await bookings.BookAsync(slotId, customer);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (BookingApi.Id(await response.ReadJsonAsync()), customer);
    }

    /// <summary>
    /// A slot that was booked and whose appointment is over (last year): the slot and its confirmed booking in
    /// one statement, as booking it then would have left them.
    /// </summary>
    public static Task<long?> InsertPastBookedSlotAsync(this ClinicApi api, int shard, long clinicId, long doctorId, long timeSlotId,
        DateTimeOffset startsAt, TimeSpan length, long customerId) =>
        api.ScalarAsync<long?>(shard, """
            WITH slot AS (
                INSERT INTO booking_slots (clinic_id, doctor_id, time_slot_id, date, starts_at, ends_at, customer_id, created_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $5 - interval '30 days') RETURNING *),
            booking AS (
                INSERT INTO bookings (clinic_id, booking_slot_id, doctor_id, starts_at, ends_at, customer_id, status, revision,
                                      created_at, expires_at, confirmed_at)
                SELECT clinic_id, id, doctor_id, starts_at, ends_at, customer_id, 'confirmed', 2,
                       created_at, created_at + interval '2 minutes', created_at + interval '1 second' FROM slot)
            SELECT id FROM slot
            """, clinicId, doctorId, timeSlotId, DateOnly.FromDateTime(startsAt.UtcDateTime), startsAt, startsAt + length, customerId);

    public static DateOnly NextYear(int month, int day) => new(DateTime.UtcNow.Year + 1, month, day);

    /// <summary>A clinic (shard 0) with one doctor, an online shift starting in a few minutes and its slot, made by hand.</summary>
    public sealed record OnlineSoon(long ClinicId, long DoctorId, long SlotId, string TimeZone, string Specialization, DateOnly Date, TimeOnly Start);

    /// <summary>
    /// A clinic whose online shift starts in a few minutes, its zone picked so that it is midday there (the shift
    /// stays within the day, and the clinic's date is today's UTC date), and its one slot today: its video call is
    /// open from the start. On shard 0: the cell of shard 1 runs with its clock an hour ahead (ClinicBookingApp),
    /// where a slot starting in minutes has started already and is not listed as available.
    /// </summary>
    public static async Task<OnlineSoon> OnlineSoonAsync(this ClinicApi api, string? clinicName = null, string? doctorName = null)
    {
        var now = DateTimeOffset.UtcNow;
        var offset = 12 - now.UtcDateTime.Hour; // -11 … +12: a zone where it is now around noon
        var zone = offset == 0 ? "Etc/UTC" : offset > 0 ? $"Etc/GMT-{offset}" : $"Etc/GMT+{-offset}";
        var specialization = $"Tele-{Guid.NewGuid():N}"[..16];
        var clinicId = (await api.CreateClinicAsync(shard: 0, name: clinicName, timeZone: zone)).GetProperty("id").GetInt64();
        var doctor = await api.CreateDoctorAsync(clinicId, specialization, doctorName);
        var local = now.ToOffset(TimeSpan.FromHours(offset)).AddMinutes(3);
        var start = new TimeOnly(local.Hour, local.Minute);
        using var shift = await api.Gateway.PostAsJsonAsync($"/clinics/{clinicId}/timeslots",
            new { name = "Video clinic", startTime = start.ToString("HH:mm"), endTime = start.AddMinutes(30).ToString("HH:mm"), mode = "online" }, Ct);
        Assert.Equal(HttpStatusCode.Created, shift.StatusCode);
        var shiftBody = await shift.ReadJsonAsync();
        Assert.Equal("online", shiftBody.GetProperty("mode").GetString());
        var date = DateOnly.FromDateTime(local.DateTime);
        using var created = await api.Gateway.PostAsJsonAsync("/bookingSlots",
            new { doctorId = doctor, timeSlotId = shiftBody.GetProperty("id").GetInt64(), date }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var slot = await created.ReadJsonAsync();
        Assert.Equal("online", slot.GetProperty("mode").GetString());
        return new OnlineSoon(clinicId, doctor, slot.GetProperty("id").GetInt64(), zone, specialization, date, start);
    }
}
