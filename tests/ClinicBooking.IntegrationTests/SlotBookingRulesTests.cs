using System.Net;
using System.Net.Http.Json;
using Npgsql;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Rules between a slot and its booking, and between a clinic's slots and the zone and hours they were computed
/// from: each is broken with plain SQL (and through the API where it offers the change) and must be refused by
/// the shard database itself.
/// </summary>
public class SlotBookingRulesTests(ClinicBookingApp app)
{
    private const string SlotMatchesBooking = "ck_booking_slot_matches_active_booking";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly BookingApi _api = new(app);

    private ClinicApi Clinics => _api.Clinics;

    [Fact]
    public async Task A_slot_is_taken_exactly_while_an_active_booking_of_its_customer_holds_it()
    {
        var (clinic, slots) = await _api.CreateSlotsAsync(2);
        var booking = BookingApi.Id(await (await _api.BookAsync(slots[0], await _api.CreateCustomerAsync())).ReadJsonAsync());

        // Taken with no booking behind it; freed under a confirmed booking; taken by someone else than the booker.
        var takenAlone = await Clinics.RefusedAsync(clinic.Shard, "UPDATE booking_slots SET customer_id = 5 WHERE id = $1", slots[1]);
        var freedUnder = await Clinics.RefusedAsync(clinic.Shard, "UPDATE booking_slots SET customer_id = NULL WHERE id = $1", slots[0]);
        var otherCustomer = await Clinics.RefusedAsync(clinic.Shard, "UPDATE booking_slots SET customer_id = customer_id + 1 WHERE id = $1", slots[0]);

        Assert.All([takenAlone, freedUnder, otherCustomer], refused => Assert.Equal(SlotMatchesBooking, refused.ConstraintName));
        Assert.True(await _api.IsBookedAsync(slots[0]));
        Assert.False(await _api.IsBookedAsync(slots[1]));
        Assert.Equal("confirmed", BookingApi.Status(await _api.GetBookingAsync(booking)));
    }

    [Fact]
    public async Task An_active_booking_keeps_its_slots_doctor_and_times_and_a_booked_slot_cannot_move()
    {
        var (clinic, slots) = await _api.CreateSlotsAsync(1);
        var booking = BookingApi.Id(await (await _api.BookAsync(slots[0], await _api.CreateCustomerAsync())).ReadJsonAsync());
        var otherDoctor = await Clinics.CreateDoctorAsync(clinic.Id, clinic.Specialization);

        var bookingMoved = await Clinics.RefusedAsync(clinic.Shard,
            "UPDATE bookings SET starts_at = starts_at + interval '1 hour', ends_at = ends_at + interval '1 hour' WHERE id = $1", booking);
        var bookingDoctor = await Clinics.RefusedAsync(clinic.Shard, "UPDATE bookings SET doctor_id = $2 WHERE id = $1", booking, otherDoctor);
        var slotMoved = await Clinics.RefusedAsync(clinic.Shard,
            "UPDATE booking_slots SET starts_at = starts_at + interval '1 day', ends_at = ends_at + interval '1 day', date = date + 1 WHERE id = $1",
            slots[0]);

        Assert.All([bookingMoved, bookingDoctor, slotMoved], refused => Assert.Equal(SlotMatchesBooking, refused.ConstraintName));
    }

    [Fact]
    public async Task A_clinic_time_zone_must_be_an_IANA_name_and_stays_while_future_slots_exist()
    {
        var (clinic, _) = await _api.CreateSlotsAsync(1);
        var empty = await Clinics.CreateClinicIdAsync(clinic.Shard);

        var notIana = await Clinics.RefusedAsync(clinic.Shard, "UPDATE clinics SET time_zone = 'Mars/Olympus_Mons' WHERE id = $1", empty);
        var posix = await Clinics.RefusedAsync(clinic.Shard, "UPDATE clinics SET time_zone = 'UTC+3' WHERE id = $1", empty);
        var moved = await Clinics.RefusedAsync(clinic.Shard, "UPDATE clinics SET time_zone = 'Asia/Tokyo' WHERE id = $1", clinic.Id);

        Assert.Equal("ck_clinics_time_zone_iana", notIana.ConstraintName);
        Assert.Equal("ck_clinics_time_zone_iana", posix.ConstraintName);
        Assert.Equal("ck_clinics_time_zone_fixed_while_future_slots", moved.ConstraintName);
        // Through the API: a 409 that says what to do.
        var patched = await Clinics.Gateway.PatchAsync($"/clinics/{clinic.Id}", Http.Json("""{"timeZone": "Asia/Tokyo"}""", "application/merge-patch+json"), Ct);
        Assert.Contains("future booking slots", (await patched.AssertProblemAsync(StatusCodes.Conflict)).GetProperty("detail").GetString());
        // A clinic without slots may move.
        Assert.Equal(1, await Clinics.ExecuteAsync(clinic.Shard, "UPDATE clinics SET time_zone = 'Asia/Tokyo' WHERE id = $1", empty));
    }

    [Fact]
    public async Task A_shifts_hours_stay_while_future_slots_exist()
    {
        var (clinic, _) = await _api.CreateSlotsAsync(1);
        var unused = await Clinics.CreateTimeSlotAsync(clinic.Id, "15:00", "16:00");

        var refused = await Clinics.RefusedAsync(clinic.Shard, "UPDATE time_slots SET end_time = '14:00' WHERE id = $1", clinic.TimeSlot);

        Assert.Equal("ck_time_slots_hours_fixed_while_future_slots", refused.ConstraintName);
        var put = await Clinics.Gateway.PutAsJsonAsync($"/timeslots/{clinic.TimeSlot}", new { name = "Morning", startTime = "08:00", endTime = "12:00" }, Ct);
        Assert.Contains("future booking slots", (await put.AssertProblemAsync(StatusCodes.Conflict)).GetProperty("detail").GetString());
        Assert.Equal(1, await Clinics.ExecuteAsync(clinic.Shard, "UPDATE time_slots SET end_time = '17:00' WHERE id = $1", unused));
    }
}
