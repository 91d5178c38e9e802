using System.ComponentModel.DataAnnotations;

namespace ClinicBooking.PaymentService.Providers;

/// <summary>
/// A payment page to open at the provider for <see cref="Amount"/> in <see cref="Currency"/>: <see cref="Reference"/>
/// names our checkout, so the provider's events can be matched to it; the page closes at <see cref="ExpiresAt"/>
/// (nothing can be paid after), and sends the payer back to <see cref="ReturnUrl"/>.
/// </summary>
public sealed record CheckoutRequest(string Reference, decimal Amount, string Currency, string Description, Uri ReturnUrl, DateTimeOffset ExpiresAt);

/// <summary>The provider's payment page: its id there, and where the payer pays.</summary>
public sealed record ProviderCheckout(string SessionId, Uri Url);

public enum ProviderEventKind
{
    /// <summary>The payment page was paid: money was captured (<see cref="ProviderEvent.PaymentReference"/>).</summary>
    Paid,

    /// <summary>An attempt failed (declined, authentication failed); the page stays open for another card.</summary>
    PaymentFailed,

    /// <summary>The page closed unpaid: nothing can be paid on it any more.</summary>
    Expired,

    /// <summary>Anything this service does not act on.</summary>
    Other,
}

/// <summary>
/// What a provider's webhook says, in this service's terms: <see cref="Id"/> is the provider's event id (each is
/// applied once however often it comes), <see cref="Reference"/> our checkout's.
/// </summary>
public sealed record ProviderEvent(string Id, ProviderEventKind Kind, string? Reference, string? SessionId, string? PaymentReference,
    decimal? Amount, string? Currency, string? FailureMessage);

/// <summary>The provider refused a webhook: its signature is missing, wrong or too old.</summary>
public sealed class WebhookRefusedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// The card payment provider. One adapter, <see cref="StripePaymentProvider"/>, speaks Stripe's API: to Stripe when
/// deployed, and to the local provider that runs with the system (<see cref="LocalProvider.LocalProviderApi"/>,
/// Stripe's shape) here. Every call may throw when the provider is unreachable or refuses; callers retry with the
/// same idempotency key, which the provider answers with its first answer.
/// </summary>
public interface IPaymentProvider
{
    /// <summary>Opens a payment page; the same <paramref name="idempotencyKey"/> again returns the same page.</summary>
    Task<ProviderCheckout> CreateCheckoutAsync(CheckoutRequest request, string idempotencyKey, CancellationToken ct);

    /// <summary>Closes an unpaid payment page, so nothing can be paid on it. Closing a closed page changes nothing.</summary>
    Task ExpireCheckoutAsync(string sessionId, CancellationToken ct);

    /// <summary>Returns <paramref name="amount"/> of a captured payment to the card; the same key again refunds once.</summary>
    Task<string> RefundAsync(string paymentReference, decimal amount, string currency, string idempotencyKey, CancellationToken ct);

    /// <summary>
    /// Reads a webhook after checking its signature (a timestamped HMAC with the webhook secret): throws
    /// <see cref="WebhookRefusedException"/> when it is missing, does not match the body, or is older than
    /// <see cref="PaymentOptions.WebhookTolerance"/>.
    /// </summary>
    ProviderEvent ReadWebhook(string body, string? signature);
}

/// <summary>The payment settings (section <c>Payments</c>).</summary>
public sealed class PaymentOptions
{
    public const string Section = "Payments";

    /// <summary>
    /// <c>Local</c> (the Stripe-shaped provider that runs inside this service, its payment pages under
    /// <c>/local-pay</c> on the gateway) or <c>Stripe</c>. No default: a deployment says which.
    /// </summary>
    [Required(ErrorMessage = "Payments:Provider must say who takes card payments: Local or Stripe.")]
    [RegularExpression("^(Local|Stripe)$", ErrorMessage = "Payments:Provider is Local or Stripe.")]
    public string? Provider { get; set; }

    /// <summary>The provider's secret API key (Stripe's <c>sk_…</c>; any secret for the local provider, which checks it).</summary>
    [Required(ErrorMessage = "Payments:SecretKey must be set (the provider's secret API key).")]
    public string? SecretKey { get; set; }

    /// <summary>The secret the provider signs its webhooks with (Stripe's <c>whsec_…</c>).</summary>
    [Required(ErrorMessage = "Payments:WebhookSecret must be set (the provider's webhook signing secret).")]
    public string? WebhookSecret { get; set; }

    /// <summary>Where the local provider's API is (this service's own address, under <c>/local-pay</c>); with Stripe, unused.</summary>
    public Uri? LocalApiBase { get; set; }

    /// <summary>The public address (the gateway's) where the local provider's pages are and its webhooks go.</summary>
    public Uri? LocalBaseUrl { get; set; }

    /// <summary>Where a payer is sent back after paying: the web app.</summary>
    [Required(ErrorMessage = "Payments:ReturnUrl must be set (the web app's address, where payers come back to).")]
    public Uri? ReturnUrl { get; set; }

    /// <summary>How long a payment page for an invoice stays open.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan CheckoutLifetime { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>How old a webhook's signature may be (Stripe's default, five minutes): an older one is a replay.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan WebhookTolerance { get; set; } = TimeSpan.FromMinutes(5);

    public bool IsLocal => Provider == "Local";

    public bool IsComplete => !IsLocal || (LocalApiBase is not null && LocalBaseUrl is not null);
}
