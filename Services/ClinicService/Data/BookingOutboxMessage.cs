using ClinicBooking.Messaging.Outbox;

namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// A message about a booking, in the shard's outbox (<see cref="OutboxMessage"/>): written by the statement that
/// changed the booking, and built from the booking as it is when sent (<c>Outbox/BookingOutbox.cs</c>).
/// </summary>
public sealed class BookingOutboxMessage : OutboxMessage
{
    /// <summary>Which message: the name of an <see cref="OutboxKind"/>.</summary>
    public OutboxKind Kind { get; set; }

    public long ClinicId { get; set; }

    /// <summary>The booking the message is about (a foreign key: there is no message without its booking).</summary>
    public long BookingId { get; set; }
}

/// <summary>The messages a shard's outbox holds; stored by name.</summary>
public enum OutboxKind
{
    /// <summary>Cell → CustomerService: may the booking's customer book? (Messages.VerifyCustomer)</summary>
    VerifyCustomer,

    /// <summary>Cell → CustomerService: the booking's status changed. (Messages.BookingStatusChanged)</summary>
    BookingStatusChanged,
}
