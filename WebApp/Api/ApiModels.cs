using ClinicBooking.Messages;

namespace ClinicBooking.WebApp.Api;

// The API's answers as this client reads them. Records shared by the processes (AvailableSlot, ClinicResponse,
// PagedResult) come from Contracts; these are the rest, with only the fields the pages use.

public sealed record SearchResponse(IReadOnlyList<AvailableSlot> Items, string? NextCursor, bool Partial, IReadOnlyList<string> UnavailableCells);

public sealed record NextAvailableResponse(AvailableSlot? Slot, bool Partial, IReadOnlyList<string> UnavailableCells);

public sealed record ClinicListResponse(IReadOnlyList<ClinicResponse> Items, string? NextCursor, bool Partial, IReadOnlyList<string> UnavailableCells);

public sealed record DoctorResponse(long Id, long ClinicId, string Name, string Specialization, bool IsActive);

public sealed record TimeSlotResponse(long Id, long ClinicId, string Name, string StartTime, string EndTime, bool IsActive);

public sealed record DoctorSlotResponse(long Id, long ClinicId, long DoctorId, long TimeSlotId, int? Weekday);

public sealed record BookingSlotResponse(
    long Id, long ClinicId, long DoctorId, long TimeSlotId, DateOnly Date,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool IsBooked, long? CustomerId);

public sealed record GeneratedSlots(long ClinicId, DateOnly From, DateOnly To, long? DoctorId, int Created);

public sealed record BookingResponse(
    long Id, long? BookingSlotId, long ClinicId, long DoctorId, long CustomerId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, BookingStatus Status, string? Reason, DateTimeOffset? HoldExpiresAt);

public sealed record CustomerBookingResponse(
    long BookingId, long ClinicId, long? BookingSlotId, long DoctorId, DateOnly Date,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, string TimeZone, BookingStatus Status);

public sealed record PatientResponse(long Id, string Name, string Email, string? Phone);

public sealed record StaffResponse(string Id, string Name, string Email, IReadOnlyList<long> ClinicIds);

public sealed record Blocker(long BookingSlotId, long DoctorId, long TimeSlotId, DateTimeOffset StartsAt);

public sealed record RegisteredResponse(string AccountId, long CustomerId, string Email);
