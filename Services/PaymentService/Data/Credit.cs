namespace ClinicBooking.PaymentService.Data;

/// <summary>
/// A credit note: what a clinic owes a customer back on an invoice, as credit rather than a refund (a booking
/// cancelled under the clinic's policy after it was paid). One per invoice; its amount goes to the customer's credit
/// at that clinic (<see cref="CreditEntry"/>).
/// </summary>
public sealed class CreditNote
{
    public const int ReasonMaxLength = 200;

    public long Id { get; init; }

    public long ClinicId { get; init; }

    public long CustomerId { get; init; }

    public required string Currency { get; init; }

    public decimal Amount { get; init; }

    /// <summary>The invoice credited.</summary>
    public long InvoiceId { get; init; }

    public required string Reason { get; init; }

    public required string IssuedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// One movement of a customer's credit at a clinic, in one currency: credit added (a credit note, money of a payment
/// no invoice could take) or spent (applied to an invoice, refunded to the card). Only ever added; the database keeps
/// each balance (<c>credit_balances</c>) and refuses one below zero.
/// </summary>
public sealed class CreditEntry
{
    public long Id { get; init; }

    public long ClinicId { get; init; }

    public long CustomerId { get; init; }

    public required string Currency { get; init; }

    /// <summary>Positive: credit added; negative: credit spent.</summary>
    public decimal Amount { get; init; }

    public required string Kind { get; init; }

    public long? CreditNoteId { get; init; }

    /// <summary>The payment the credit came from (unallocated money) or went to (a payment by credit).</summary>
    public long? PaymentId { get; init; }

    public required string RecordedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>A clinic's rules for money: how long before an appointment a cancellation still earns credit.</summary>
public sealed class ClinicPaymentPolicy
{
    public const int MaxNoticeHours = 24 * 30;

    public long ClinicId { get; init; }

    /// <summary>A paid appointment cancelled at least this long before it starts is credited in full; later, not at all.</summary>
    public int CancellationNoticeHours { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A customer's credit at a clinic in one currency, kept by the database from the entries (never written by code).</summary>
public sealed class CreditBalance
{
    public long ClinicId { get; init; }

    public long CustomerId { get; init; }

    public required string Currency { get; init; }

    public decimal Balance { get; init; }
}
