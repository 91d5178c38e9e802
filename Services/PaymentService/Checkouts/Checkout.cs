namespace ClinicBooking.PaymentService.Checkouts;

/// <summary>
/// A customer paying some of their invoices by card: the provider's payment page (<see cref="SessionId"/>,
/// <see cref="Url"/>) for <see cref="Amount"/>, what each invoice gets of it, and how it ended: <c>paid</c> when the
/// provider says the money was captured (the card payment and its allocations are then recorded), <c>expired</c> when
/// the page closed unpaid. A declined card leaves it open (<see cref="LastFailure"/> says why) for another card.
/// </summary>
public sealed class Checkout
{
    public const string Open = "open";
    public const string Paid = "paid";
    public const string Expired = "expired";

    public static readonly string[] Statuses = [Open, Paid, Expired];

    public long Id { get; init; }

    public long ClinicId { get; init; }

    public long CustomerId { get; init; }

    public required string Currency { get; init; }

    public decimal Amount { get; init; }

    public string Status { get; set; } = Open;

    /// <summary>The provider's payment page; null until the provider has answered (a retry asks again, with the same key).</summary>
    public string? SessionId { get; set; }

    public string? Url { get; set; }

    /// <summary>The client's Idempotency-Key: the same request again gets this checkout.</summary>
    public string? IdempotencyKey { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? PaidAt { get; set; }

    /// <summary>The card payment the provider captured, once paid.</summary>
    public long? PaymentId { get; set; }

    /// <summary>Why the last card attempt failed (declined, not confirmed with the bank).</summary>
    public string? LastFailure { get; set; }

    public List<CheckoutInvoice> Invoices { get; init; } = [];
}

/// <summary>What a checkout pays of one invoice: what it owed when the checkout was opened.</summary>
public sealed class CheckoutInvoice
{
    public long CheckoutId { get; init; }

    public long InvoiceId { get; init; }

    public decimal Amount { get; init; }
}

/// <summary>A provider event this service has applied: each is applied once, however often and in whatever order it comes.</summary>
public sealed class ProviderEventRecord
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    public string? Reference { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }
}
