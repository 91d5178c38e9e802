using System.Text.Json;
using System.Text.Json.Nodes;
using Stripe;

namespace ClinicBooking.PaymentService.LocalProvider;

/// <summary>The local provider's records written as Stripe's API writes its objects, for Stripe's own client to read.</summary>
public static class LocalStripeJson
{
    public static JsonObject Session(LocalSession s, Uri baseUrl) => new()
    {
        ["id"] = s.Id,
        ["object"] = "checkout.session",
        ["mode"] = "payment",
        ["amount_subtotal"] = s.AmountTotal,
        ["amount_total"] = s.AmountTotal,
        ["currency"] = s.Currency,
        ["client_reference_id"] = s.ClientReferenceId,
        ["metadata"] = JsonNode.Parse(s.Metadata),
        ["payment_intent"] = s.PaymentIntent,
        ["payment_status"] = s.Status == LocalSession.Complete ? "paid" : "unpaid",
        ["status"] = s.Status,
        ["url"] = s.Status == LocalSession.Open ? new Uri(baseUrl, LocalProviderApi.PagePath(s.Id)).ToString() : null,
        ["success_url"] = s.SuccessUrl,
        ["cancel_url"] = s.CancelUrl,
        ["expires_at"] = s.ExpiresAt.ToUnixTimeSeconds(),
        ["created"] = s.CreatedAt.ToUnixTimeSeconds(),
        ["livemode"] = false,
    };

    public static JsonObject PaymentIntent(LocalSession s, string status, string? failure) => new()
    {
        ["id"] = s.PaymentIntent,
        ["object"] = "payment_intent",
        ["amount"] = s.AmountTotal,
        ["currency"] = s.Currency,
        ["metadata"] = JsonNode.Parse(s.PaymentMetadata),
        ["status"] = status,
        ["last_payment_error"] = failure is null ? null : new JsonObject
        {
            ["type"] = "card_error",
            ["code"] = "card_declined",
            ["message"] = failure,
        },
        ["created"] = s.CreatedAt.ToUnixTimeSeconds(),
        ["livemode"] = false,
    };

    public static JsonObject Refund(LocalRefund r, string currency) => new()
    {
        ["id"] = r.Id,
        ["object"] = "refund",
        ["amount"] = r.Amount,
        ["currency"] = currency,
        ["payment_intent"] = r.PaymentIntent,
        ["status"] = "succeeded",
        ["created"] = r.CreatedAt.ToUnixTimeSeconds(),
    };

    public static JsonObject Event(string id, string type, JsonObject data, DateTimeOffset at) => new()
    {
        ["id"] = id,
        ["object"] = "event",
        ["api_version"] = StripeConfiguration.ApiVersion,
        ["created"] = at.ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["pending_webhooks"] = 1,
        ["type"] = type,
        ["data"] = new JsonObject { ["object"] = data },
    };

    /// <summary>Stripe's error answer, which its client turns into a <c>StripeException</c>.</summary>
    public static JsonObject Error(string type, string message, string? code = null) => new()
    {
        ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message },
    };

    public static string Write(JsonNode node) => node.ToJsonString(new JsonSerializerOptions { WriteIndented = false });
}
