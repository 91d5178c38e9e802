using ClinicBooking.ClinicService.Model;
using ClinicBooking.Messages;

namespace ClinicBooking.ClinicService.Apis;

public sealed record ClinicResponse(
    long Id, int Shard, string Name, string TimeZone, string? Address, bool IsActive,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ClinicResponse From(Clinic c) =>
        new(c.Id, ClinicIds.ShardOfClinic(c.Id), c.Name, c.TimeZone, c.Address, c.IsActive, c.CreatedAt, c.UpdatedAt);
}

/// <summary>Create, replace or merge-patch a clinic. <see cref="IsActive"/>: only an explicit true reactivates.</summary>
public sealed record ClinicRequest(string? Name, string? TimeZone, string? Address, bool? IsActive = null);

/// <summary>A page of clinics in id order; pass <see cref="NextCursor"/> as <c>after</c> for the next page.</summary>
public sealed record ClinicPage(IReadOnlyList<ClinicResponse> Items, string? NextCursor);

/// <summary>A shard this cell owns, and how many active clinics it holds (for the placement policy).</summary>
public sealed record ShardInfo(int Shard, int ActiveClinics);

public sealed record DoctorResponse(
    long Id, long ClinicId, string Name, string Specialization, bool IsActive,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static DoctorResponse From(Doctor d) =>
        new(d.Id, d.ClinicId, d.Name, d.Specialization, d.IsActive, d.CreatedAt, d.UpdatedAt);
}

public sealed record DoctorRequest(string? Name, string? Specialization, bool? IsActive = null);

/// <summary>A shift in the clinic's local time; times are "HH:mm".</summary>
public sealed record TimeSlotResponse(long Id, long ClinicId, string Name, string StartTime, string EndTime, bool IsActive)
{
    public static TimeSlotResponse From(TimeSlot t) =>
        new(t.Id, t.ClinicId, t.Name, t.StartTime.ToString("HH:mm"), t.EndTime.ToString("HH:mm"), t.IsActive);
}

public sealed record TimeSlotRequest(string? Name, string? StartTime, string? EndTime);

/// <summary>A doctor's default availability: a time slot on an ISO weekday (1 = Monday), or every day when null.</summary>
public sealed record DoctorSlotResponse(long Id, long ClinicId, long DoctorId, long TimeSlotId, int? Weekday)
{
    public static DoctorSlotResponse From(DoctorSlotTemplate t) => new(t.Id, t.ClinicId, t.DoctorId, t.TimeSlotId, t.Weekday);
}

public sealed record DoctorSlotRequest(long? TimeSlotId, int? Weekday);

/// <summary>A future booked slot that stops a clinic, doctor or time slot from being deactivated.</summary>
public sealed record Blocker(long BookingSlotId, long DoctorId, long TimeSlotId, DateTimeOffset StartsAt);

/// <summary>A bookable slot: instants with the clinic's offset, and the clinic-local date.</summary>
public sealed record BookingSlotResponse(
    long Id, long ClinicId, long DoctorId, long TimeSlotId, DateOnly Date,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool IsBooked);

public sealed record CreateBookingSlotRequest(long? DoctorId, long? TimeSlotId, DateOnly? Date);

public sealed record UpdateBookingSlotRequest(long? TimeSlotId, DateOnly? Date);

/// <summary>Generate a clinic's slots from its templates for a date range, optionally for one doctor.</summary>
public sealed record CreateBookingSlotsRequest(long? ClinicId, DateOnly? From, DateOnly? To, long? DoctorId);

public sealed record CreateBookingSlotsResponse(long ClinicId, DateOnly From, DateOnly To, long? DoctorId, int Created);

/// <summary>A free slot, with what a customer choosing between clinics needs to see.</summary>
public sealed record AvailableSlot(
    long Id, long ClinicId, string ClinicName, long DoctorId, string DoctorName, string Specialization,
    long TimeSlotId, DateOnly Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt);

/// <summary>Free slots by start time; pass <see cref="NextCursor"/> as <c>after</c> for the next page.</summary>
public sealed record AvailabilityPage(IReadOnlyList<AvailableSlot> Items, string? NextCursor);

/// <summary>Book a slot for a customer (body of <c>PUT /bookingSlots/{id}/booking</c>).</summary>
public sealed record BookSlotRequest(long? CustomerId);

/// <summary>One step of a booking's history.</summary>
public sealed record BookingHistoryEntry(BookingStatus Status, DateTimeOffset At);

/// <summary>
/// A booking and where it stands. <see cref="HoldExpiresAt"/> is set while it is pending: if CustomerService
/// has not answered by then, the booking expires and the slot is free again.
/// </summary>
public sealed record BookingResponse(
    long Id, long? BookingSlotId, long ClinicId, long DoctorId, long CustomerId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, BookingStatus Status, string? Reason,
    DateTimeOffset? HoldExpiresAt, IReadOnlyList<BookingHistoryEntry> History)
{
    public static BookingResponse From(Booking b, string timeZone)
    {
        var history = new List<BookingHistoryEntry> { new(BookingStatus.Pending, b.CreatedAt) };
        if (b.ConfirmedAt is { } confirmed) history.Add(new(BookingStatus.Confirmed, confirmed));
        if (b.RejectedAt is { } rejected) history.Add(new(BookingStatus.Rejected, rejected));
        if (b.ExpiredAt is { } expired) history.Add(new(BookingStatus.Expired, expired));
        if (b.CancelledAt is { } cancelled) history.Add(new(BookingStatus.Cancelled, cancelled));
        return new(b.Id, b.BookingSlotId, b.ClinicId, b.DoctorId, b.CustomerId,
            SlotTimes.ToClinicTime(b.StartsAt, timeZone), SlotTimes.ToClinicTime(b.EndsAt, timeZone), b.Status, b.Reason,
            b.Status == BookingStatus.Pending ? b.ExpiresAt : null, history);
    }
}
