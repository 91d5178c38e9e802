using ClinicBooking.Contracts.Payments;
using Microsoft.Extensions.Options;
using Stripe;
using Stripe.Checkout;

namespace ClinicBooking.PaymentService.Providers;

/// <summary>
/// Card payments through Stripe's API (the <c>Stripe.net</c> client): a Checkout Session is the payment page, its
/// <c>checkout.session.*</c> and <c>payment_intent.payment_failed</c> events say what happened, and webhooks are
/// checked with Stripe's own signature check (a timestamped HMAC-SHA256 in <c>Stripe-Signature</c>). The same adapter
/// talks to the local provider here (<see cref="PaymentOptions.LocalApiBase"/>), which speaks the same API, so the code
/// that runs against Stripe is the code the tests run.
/// </summary>
public sealed class StripePaymentProvider(IOptions<PaymentOptions> options, IHttpClientFactory http) : IPaymentProvider
{
    /// <summary>The metadata key that carries our checkout's id on the session and on its payment.</summary>
    public const string ReferenceKey = "checkout";

    private readonly StripeClient _client = new(
        options.Value.SecretKey,
        httpClient: new SystemNetHttpClient(http.CreateClient(nameof(StripePaymentProvider)), maxNetworkRetries: 2),
        apiBase: options.Value.IsLocal ? options.Value.LocalApiBase!.ToString().TrimEnd('/') : null);

    public async Task<ProviderCheckout> CreateCheckoutAsync(CheckoutRequest request, string idempotencyKey, CancellationToken ct)
    {
        var metadata = new Dictionary<string, string> { [ReferenceKey] = request.Reference };
        var session = await new SessionService(_client).CreateAsync(new SessionCreateOptions
        {
            Mode = "payment",
            ClientReferenceId = request.Reference,
            Metadata = metadata,
            PaymentIntentData = new SessionPaymentIntentDataOptions { Metadata = metadata },
            LineItems =
            [
                new SessionLineItemOptions
                {
                    Quantity = 1,
                    PriceData = new SessionLineItemPriceDataOptions
                    {
                        Currency = request.Currency.ToLowerInvariant(),
                        UnitAmount = MinorUnits.From(request.Amount, request.Currency),
                        ProductData = new SessionLineItemPriceDataProductDataOptions { Name = request.Description },
                    },
                },
            ],
            SuccessUrl = request.ReturnUrl.ToString(),
            CancelUrl = request.ReturnUrl.ToString(),
            ExpiresAt = request.ExpiresAt.UtcDateTime,
        }, new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
        return new ProviderCheckout(session.Id, new Uri(session.Url));
    }

    public async Task ExpireCheckoutAsync(string sessionId, CancellationToken ct)
    {
        var sessions = new SessionService(_client);
        try
        {
            await sessions.ExpireAsync(sessionId, cancellationToken: ct);
        }
        catch (StripeException ex) when (ex.HttpStatusCode == System.Net.HttpStatusCode.BadRequest)
        {
            // Refused because it is paid or closed already: nothing to close. Anything else is an error.
            if ((await sessions.GetAsync(sessionId, cancellationToken: ct)).Status == "open")
            {
                throw;
            }
        }
    }

    public async Task<string> RefundAsync(string paymentReference, decimal amount, string currency, string idempotencyKey, CancellationToken ct)
    {
        var refund = await new RefundService(_client).CreateAsync(new RefundCreateOptions
        {
            PaymentIntent = paymentReference,
            Amount = MinorUnits.From(amount, currency),
        }, new RequestOptions { IdempotencyKey = idempotencyKey }, ct);
        return refund.Id;
    }

    public ProviderEvent ReadWebhook(string body, string? signature)
    {
        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ConstructEvent(body, signature ?? "", options.Value.WebhookSecret,
                tolerance: (long)options.Value.WebhookTolerance.TotalSeconds, throwOnApiVersionMismatch: false);
        }
        catch (Exception ex) when (ex is StripeException or Newtonsoft.Json.JsonException or FormatException or ArgumentException)
        {
            // A signature that does not check out, or a signed body that is no event: refused either way.
            throw new WebhookRefusedException(ex.Message, ex);
        }
        return stripeEvent.Data.Object switch
        {
            Session session when stripeEvent.Type is EventTypes.CheckoutSessionCompleted or EventTypes.CheckoutSessionAsyncPaymentSucceeded
                && session.PaymentStatus == "paid" =>
                new ProviderEvent(stripeEvent.Id, ProviderEventKind.Paid, session.ClientReferenceId, session.Id, session.PaymentIntentId,
                    MinorUnits.To(session.AmountTotal ?? 0, session.Currency), session.Currency?.ToUpperInvariant(), null),
            Session session when stripeEvent.Type is EventTypes.CheckoutSessionExpired =>
                new ProviderEvent(stripeEvent.Id, ProviderEventKind.Expired, session.ClientReferenceId, session.Id, null, null, null, null),
            PaymentIntent intent when stripeEvent.Type is EventTypes.PaymentIntentPaymentFailed =>
                new ProviderEvent(stripeEvent.Id, ProviderEventKind.PaymentFailed, intent.Metadata?.GetValueOrDefault(ReferenceKey), null, intent.Id,
                    null, null, intent.LastPaymentError?.Message ?? "The payment failed."),
            _ => new ProviderEvent(stripeEvent.Id, ProviderEventKind.Other, null, null, null, null, null, null),
        };
    }
}

/// <summary>Amounts as providers count them: whole minor units (cents), or whole units for the yen and its like.</summary>
public static class MinorUnits
{
    public static long From(decimal amount, string currency) =>
        (long)decimal.Round(amount * Scale(currency), 0, MidpointRounding.AwayFromZero);

    public static decimal To(long minor, string? currency) => minor / Scale(currency?.ToUpperInvariant() ?? "");

    private static decimal Scale(string currency) => Currencies.MinorDigits(currency) == 0 ? 1m : 100m;
}
