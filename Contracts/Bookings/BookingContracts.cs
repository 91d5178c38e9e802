using ClinicBooking.Messages;

namespace ClinicBooking.Contracts;

// What the API answers about bookings: the owning cell's view, and CustomerService's list of a customer's.

/// <summary>One step of a booking's history.</summary>
public sealed record BookingHistoryEntry(BookingStatus Status, DateTimeOffset At);

/// <summary>
/// A booking and where it stands. <see cref="HoldExpiresAt"/> is set while it is pending: if CustomerService
/// has not answered by then, the booking expires and the slot is free again. <see cref="Mode"/> is in person or
/// online; an online one has a video call (<c>GET /consultations/{bookingId}</c>). <see cref="Price"/> is what it
/// costs, as the slot did when it was booked (null: free).
/// </summary>
public sealed record BookingResponse(
    long Id, long? BookingSlotId, long ClinicId, long DoctorId, long CustomerId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, BookingStatus Status, string? Reason,
    DateTimeOffset? HoldExpiresAt, IReadOnlyList<BookingHistoryEntry> History, string Mode, Payments.Price? Price);

/// <summary>
/// A customer's booking as listed by CustomerService: its times in the clinic's time zone (<see cref="TimeZone"/>,
/// with the offset in force then) and its clinic-local <see cref="Date"/>, exactly as the clinic's API shows them.
/// </summary>
public sealed record CustomerBookingResponse(
    long BookingId, long ClinicId, long? BookingSlotId, long DoctorId, DateOnly Date,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, string TimeZone, BookingStatus Status, DateTimeOffset UpdatedAt);

/// <summary>Who a booked patient is and how to reach them.</summary>
public sealed record PatientResponse(long Id, string Name, string Email, string? Phone);
