using System.Linq.Expressions;
using ClinicBooking.Contracts.Consultations;
using ClinicBooking.Messages;

namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// One attempt by a customer to book a slot, and the state of its saga. It starts <c>pending</c> and holds
/// the slot until CustomerService answers or <see cref="ExpiresAt"/> passes; then it is confirmed, rejected
/// or expired (or, where payment is due at booking, awaits payment until paid or until its new deadline), and a
/// confirmed one may later be cancelled. Each status keeps the instant it was reached, so
/// the row is its own history. The slot's details are copied in: the history outlives a removed slot.
/// </summary>
public sealed class Booking
{
    public const int IdempotencyKeyMaxLength = ServiceDefaults.IdempotencyKey.MaxLength;
    public const int ReasonMaxLength = 200;

    public long ClinicId { get; set; }

    public long RowNumber { get; init; }

    public long Id { get; init; }

    /// <summary>Null only once the slot has been removed, which an active booking prevents.</summary>
    public long? BookingSlotId { get; set; }

    public long DoctorId { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    public long CustomerId { get; set; }

    public BookingStatus Status { get; set; }

    /// <summary>The client's Idempotency-Key, unique per slot.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>Grows by one with every status change; CustomerService keeps the highest it has seen.</summary>
    public int Revision { get; set; }

    /// <summary>When the booking was requested (it became pending).</summary>
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The hold's deadline: a booking still pending then expires and frees the slot.</summary>
    public DateTimeOffset ExpiresAt { get; set; }

    /// <summary>When the customer was verified and payment was asked for (a clinic that takes payment at booking).</summary>
    public DateTimeOffset? AwaitingPaymentAt { get; set; }

    public DateTimeOffset? ConfirmedAt { get; set; }

    public DateTimeOffset? RejectedAt { get; set; }

    public DateTimeOffset? ExpiredAt { get; set; }

    public DateTimeOffset? CancelledAt { get; set; }

    /// <summary>
    /// Who made the booking (<see cref="Bookers"/>): the customer, the clinic's staff (CustomerService then
    /// confirms it only for the clinic's own patients) or an administrator (exempt from the booking caps).
    /// </summary>
    public string BookedBy { get; set; } = Bookers.Customer;

    /// <summary>In person or online (<see cref="ConsultationModes.Booked"/>): the slot's mode, or the patient's choice where it offered either.</summary>
    public string Mode { get; set; } = ConsultationModes.InPerson;

    /// <summary>What the appointment costs (with <see cref="PriceCurrency"/>; null = free): the slot's price when it was booked.</summary>
    public decimal? PriceAmount { get; set; }

    public string? PriceCurrency { get; set; }

    /// <summary>
    /// Whether the booking is confirmed only once paid: its clinic takes payment at booking and it has a price (both
    /// as they were when the slot was held).
    /// </summary>
    public bool PaymentDue { get; set; }

    /// <summary>Why the booking was rejected (see <see cref="CustomerVerdict"/>).</summary>
    public string? Reason { get; set; }

    public bool IsActive => Status.IsActive();

    /// <summary>
    /// The active bookings (pending, awaiting payment, confirmed: <see cref="BookingStatusNames.IsActive"/>) as a query's
    /// filter. Written with constants, not a list, so that the shard's partial indexes on active bookings still match.
    /// </summary>
    public static readonly Expression<Func<Booking, bool>> Active =
        b => b.Status == BookingStatus.Pending || b.Status == BookingStatus.AwaitingPayment || b.Status == BookingStatus.Confirmed;

    /// <summary>The bookings that hold their slot until a deadline: pending, or awaiting payment.</summary>
    public static readonly Expression<Func<Booking, bool>> Holding =
        b => b.Status == BookingStatus.Pending || b.Status == BookingStatus.AwaitingPayment;
}
