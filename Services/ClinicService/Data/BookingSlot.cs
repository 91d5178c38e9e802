using ClinicBooking.Contracts.Consultations;

namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// A bookable appointment (<c>/bookingSlots</c>): one doctor, one shift, one clinic-local date, stored as instants. It exists
/// only when it was generated or created, and holds at most one customer.
/// </summary>
public sealed class BookingSlot
{
    public long ClinicId { get; set; }

    public long RowNumber { get; private set; }

    public long Id { get; private set; }

    public long DoctorId { get; set; }

    public long TimeSlotId { get; set; }

    /// <summary>The date in the clinic's time zone.</summary>
    public DateOnly Date { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    public long? CustomerId { get; set; }

    /// <summary>
    /// What it offers (<see cref="ConsultationModes.Offered"/>): its doctor's template's mode, or else its time
    /// slot's, stamped when it is made and again on a free slot when either changes (<see cref="Slots.SlotTerms"/>).
    /// </summary>
    public string Mode { get; set; } = ConsultationModes.InPerson;

    /// <summary>
    /// What it costs (with <see cref="PriceCurrency"/>; null = free), by the same rule and at the same times as
    /// <see cref="Mode"/> (<see cref="Slots.SlotTerms"/>).
    /// </summary>
    public decimal? PriceAmount { get; set; }

    public string? PriceCurrency { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public uint Version { get; set; }
}
