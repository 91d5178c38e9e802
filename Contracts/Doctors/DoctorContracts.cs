namespace ClinicBooking.Contracts;

// What a cell answers about doctors, time slots (a clinic's shifts), doctor slots (which time slots a doctor
// works on which weekdays) and booking slots; the web app reads the same records.

public sealed record DoctorResponse(
    long Id, long ClinicId, string Name, string Specialization, bool IsActive,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// A clinic's shift: its hours as HH:mm, clinic-local, how its appointments take place (<see cref="Consultations.ConsultationModes"/>)
/// and what they cost (null: free).
/// </summary>
public sealed record TimeSlotResponse(long Id, long ClinicId, string Name, string StartTime, string EndTime, bool IsActive, string Mode,
    Payments.Price? Price);

/// <summary>
/// A doctor's default availability: a time slot on an ISO weekday (1 = Monday), or every day when null. <see cref="Mode"/>
/// is how the doctor sees patients then, and <see cref="Price"/> what the doctor's appointments cost then (an amount
/// of 0: free); null for the time slot's own.
/// </summary>
public sealed record DoctorSlotResponse(long Id, long ClinicId, long DoctorId, long TimeSlotId, int? Weekday, string? Mode,
    Payments.Price? Price);

/// <summary>
/// A bookable slot: instants with the clinic's offset, and the clinic-local date. Only the clinic's staff read
/// slots, so a booked one names its patient (<see cref="CustomerId"/>): the day's schedule shows who is coming.
/// </summary>
public sealed record BookingSlotResponse(
    long Id, long ClinicId, long DoctorId, long TimeSlotId, DateOnly Date,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool IsBooked, long? CustomerId, string Mode, Payments.Price? Price);

/// <summary>What a generation made: how many slots for the clinic (and doctor) between the clinic-local dates.</summary>
public sealed record CreateBookingSlotsResponse(long ClinicId, DateOnly From, DateOnly To, long? DoctorId, int Created);

/// <summary>A future booked slot that keeps a doctor or time slot from being deactivated.</summary>
public sealed record Blocker(long BookingSlotId, long DoctorId, long TimeSlotId, DateTimeOffset StartsAt);

/// <summary>Days a doctor does not work (clinic-local dates, both included), as the clinic's staff marked them.</summary>
public sealed record DoctorAbsenceResponse(long Id, long DoctorId, DateOnly From, DateOnly To, string? Note, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>What marking an absence did: the doctor's free slots on those days removed, the booked ones cancelled.</summary>
public sealed record DoctorAbsenceOutcome(DoctorAbsenceResponse Absence, int FreeSlotsRemoved, int BookingsCancelled);
