namespace ClinicBooking.PaymentService.LocalProvider;

// The local provider's own records, as a payment provider would keep them on its side: this service's code reaches
// them only through the provider's API (Stripe's shape), never by reading these tables.

/// <summary>A payment page (Stripe's Checkout Session): open until paid (complete) or closed unpaid (expired).</summary>
public sealed class LocalSession
{
    public const string Open = "open";
    public const string Complete = "complete";
    public const string Expired = "expired";

    public required string Id { get; init; }

    public string? ClientReferenceId { get; init; }

    /// <summary>The session's metadata and its payment's, as JSON objects of strings.</summary>
    public required string Metadata { get; init; }

    public required string PaymentMetadata { get; init; }

    /// <summary>In minor units, as Stripe counts.</summary>
    public long AmountTotal { get; init; }

    /// <summary>Lowercase, as Stripe writes it.</summary>
    public required string Currency { get; init; }

    public required string Description { get; init; }

    public required string SuccessUrl { get; init; }

    public required string CancelUrl { get; init; }

    public string Status { get; set; } = Open;

    /// <summary>The payment (Stripe's PaymentIntent) the page takes: made with the page, captured when paid.</summary>
    public required string PaymentIntent { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    public List<LocalCharge> Charges { get; init; } = [];
}

/// <summary>One attempt to pay a page with a card; the database lets a page be charged once.</summary>
public sealed class LocalCharge
{
    public const string Succeeded = "succeeded";
    public const string Declined = "declined";
    public const string RequiresAction = "requires_action";
    public const string AuthenticationFailed = "authentication_failed";

    public long Id { get; init; }

    public required string SessionId { get; init; }

    public required string CardLast4 { get; init; }

    public string Outcome { get; set; } = RequiresAction;

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>Money returned to a card.</summary>
public sealed class LocalRefund
{
    public required string Id { get; init; }

    public required string PaymentIntent { get; init; }

    public long Amount { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// An API request made with an Idempotency-Key and its answer: the same key and body get that answer again; the same
/// key with another body is refused, as Stripe does.
/// </summary>
public sealed class LocalIdempotentRequest
{
    public required string Key { get; init; }

    public required string RequestHash { get; init; }

    /// <summary>Null while the first request is being answered.</summary>
    public int? StatusCode { get; set; }

    public string? Response { get; set; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>An event the provider sends to the webhook endpoint until it answers 2xx (Stripe's event JSON, signed when sent).</summary>
public sealed class LocalWebhook
{
    public long Sequence { get; init; }

    public required string Id { get; init; }

    public required string Type { get; init; }

    public required string Payload { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Not sent before (back-off after a failed delivery); the delay switch holds it from its creation.</summary>
    public DateTimeOffset DeliverAfter { get; set; }

    public DateTimeOffset? DeliveredAt { get; set; }

    public int Deliveries { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }
}
