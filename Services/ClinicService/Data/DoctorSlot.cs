namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// A doctor's default availability (the API calls it a doctor slot, <c>/doctors/slots</c>): the doctor works
/// this shift on <see cref="Weekday"/>, or every day when it is null. Booking slots are generated from
/// templates ahead of time.
/// </summary>
public sealed class DoctorSlot
{
    public long ClinicId { get; set; }

    public long RowNumber { get; private set; }

    public long Id { get; private set; }

    public long DoctorId { get; set; }

    public long TimeSlotId { get; set; }

    /// <summary>ISO weekday, 1 = Monday … 7 = Sunday; null = every day.</summary>
    public int? Weekday { get; set; }

    /// <summary>How the doctor sees patients in this shift (<see cref="Contracts.Consultations.ConsultationModes.Offered"/>); null = the time slot's own mode.</summary>
    public string? Mode { get; set; }

    /// <summary>What the doctor's appointments in this shift cost (with <see cref="PriceCurrency"/>; 0 = free); null = the time slot's price.</summary>
    public decimal? PriceAmount { get; set; }

    public string? PriceCurrency { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}
