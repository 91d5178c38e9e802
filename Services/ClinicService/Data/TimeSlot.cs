using ClinicBooking.Contracts.Consultations;

namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// A shift the clinic defines (the API calls it a time slot, <c>/timeslots</c>), in the clinic's local time (09:00–13:00 stays 09:00–13:00 across daylight
/// saving changes). A shift ends on the day it starts. Deactivated, never deleted: past booking slots keep
/// pointing at it.
/// </summary>
public sealed class TimeSlot : IDeactivatable
{
    public const int NameMaxLength = 100;

    public long ClinicId { get; set; }

    public long RowNumber { get; private set; }

    public long Id { get; private set; }

    public required string Name { get; set; }

    public TimeOnly StartTime { get; set; }

    public TimeOnly EndTime { get; set; }

    public bool IsActive { get; set; } = true;

    /// <summary>How its appointments take place (<see cref="ConsultationModes.Offered"/>), unless a doctor's template says otherwise.</summary>
    public string Mode { get; set; } = ConsultationModes.InPerson;

    /// <summary>What its appointments cost (with <see cref="PriceCurrency"/>), unless a doctor's template says otherwise; null = free.</summary>
    public decimal? PriceAmount { get; set; }

    public string? PriceCurrency { get; set; }

    public long? ActiveTimeSlotId { get; private set; }

    public long? ActiveClinicRef { get; private set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }
}
