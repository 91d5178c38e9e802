namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// A message this shard means to send about a booking, written in the same statement as the booking's state
/// change that calls for it, so a crash can delay a message but never lose it or send one for a change that
/// rolled back. The row names the booking and the kind of message; the message itself is built in C# from
/// the booking row when it is sent (see <c>Outbox/</c>), and serialized once, by MassTransit. A row is kept
/// for a while after it was sent, which also lets an operator resend it by clearing <see cref="SentAt"/>.
/// </summary>
public sealed class OutboxMessage
{
    public long Id { get; init; }

    /// <summary>MassTransit's MessageId of the item, so a resent message is recognisably the same one.</summary>
    public Guid MessageId { get; set; }

    /// <summary>Which message: the name of an <see cref="OutboxKind"/>.</summary>
    public OutboxKind Kind { get; set; }

    public long ClinicId { get; set; }

    /// <summary>The booking the message is about (a foreign key: there is no message without its booking).</summary>
    public long BookingId { get; set; }

    /// <summary>The W3C traceparent of the change that wrote the message; its publish joins that trace.</summary>
    public string? TraceParent { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    /// <summary>
    /// Set instead of <see cref="SentAt"/> when the message can never be sent (see <see cref="ParkedReason"/>):
    /// the re-driver passes over it, operators count it (<c>GET /operations/outbox</c>), the purger removes it
    /// after <c>Outbox:ParkedRetention</c>. A parked row is never sent, so it is never stamped sent either.
    /// </summary>
    public DateTimeOffset? ParkedAt { get; set; }

    public const int ParkedReasonMaxLength = 500;

    public string? ParkedReason { get; set; }
}

/// <summary>The messages a shard's outbox holds; stored by name.</summary>
public enum OutboxKind
{
    /// <summary>Cell → CustomerService: may the booking's customer book? (Messages.VerifyCustomer)</summary>
    VerifyCustomer,

    /// <summary>Cell → CustomerService: the booking's status changed. (Messages.BookingStatusChanged)</summary>
    BookingStatusChanged,
}
