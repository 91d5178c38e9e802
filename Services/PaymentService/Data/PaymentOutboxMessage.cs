namespace ClinicBooking.PaymentService.Data;

/// <summary>
/// A booking paid when booked, to tell its cell (<c>Messages.BookingPaid</c>): written in the same transaction as the
/// card payment that paid its invoice, so the cell hears of every such payment, once it committed, and of no other.
/// </summary>
public sealed class PaymentOutboxMessage : ClinicBooking.Messaging.Outbox.OutboxMessage
{
    public long BookingId { get; init; }

    public long ClinicId { get; init; }

    public long PaymentId { get; init; }

    public DateTimeOffset PaidAt { get; init; }
}
