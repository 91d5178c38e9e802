namespace ClinicBooking.PaymentService.Data;

/// <summary>
/// Money given back to a card, the exception to credit: a clinic's staff refund a customer's credit to the card
/// payments it came from. Written with its credit entry in one transaction (<see cref="Pending"/>), then sent to the
/// provider after the commit with the refund's own idempotency key, so a retry after a lost answer refunds once;
/// <see cref="Credit.RefundSender"/> retries the ones still pending, and operators see them with their last error.
/// The database refuses refunds past the payment's amount.
/// </summary>
public sealed class Refund
{
    public const string Pending = "pending";
    public const string Succeeded = "succeeded";
    public static readonly string[] Statuses = [Pending, Succeeded];

    public long Id { get; init; }

    public long ClinicId { get; init; }

    public long CustomerId { get; init; }

    /// <summary>The card payment refunded.</summary>
    public long PaymentId { get; init; }

    public required string Currency { get; init; }

    public decimal Amount { get; init; }

    public string Status { get; set; } = Pending;

    /// <summary>The provider's id of the refund, once it made it.</summary>
    public string? ProviderRefundId { get; set; }

    public int Attempts { get; set; }

    public string? LastError { get; set; }

    public required string RequestedBy { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; set; }

    /// <summary>The idempotency key of its provider call: the same for every attempt.</summary>
    public string ProviderKey => $"refund-{Id}";
}
