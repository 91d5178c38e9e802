using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Providers;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.PaymentService.LocalProvider;

/// <summary>
/// The local payment provider: it runs inside this service so that the whole card path works here, and speaks the
/// part of Stripe's API this platform uses, so Stripe's own client (<see cref="StripePaymentProvider"/>) talks to it:
/// Checkout Sessions (a payment page), their expiry, refunds; a secret key; Idempotency-Key (the same key and body
/// replay the first answer, the same key with another body is refused); events sent to the webhook endpoint signed as
/// Stripe signs them (<see cref="LocalWebhookSender"/>), which it can duplicate, reorder and delay on demand. Its
/// payment page (<c>/local-pay/checkout/{id}</c>, through the gateway) takes test cards: <see cref="SuccessCard"/>
/// pays, <see cref="DeclineCard"/> is declined, <see cref="AuthenticationCard"/> asks the payer to confirm with their
/// bank first (3-D Secure), where they can pass or fail.
/// </summary>
public static class LocalProviderApi
{
    public const string Prefix = "/local-pay";
    public const string SuccessCard = "4242424242424242";
    public const string DeclineCard = "4000000000000002";
    public const string AuthenticationCard = "4000002500003155";
    public const string DeclinedMessage = "Your card was declined.";
    public const string AuthenticationFailedMessage = "The payment was not confirmed with your bank.";

    public static string PagePath(string sessionId) => $"{Prefix}/checkout/{sessionId}";

    /// <summary>
    /// The provider's API, on a branch of the pipeline ahead of this service's token check: its callers present the
    /// provider's secret key as a bearer token (Stripe's client does), which is not one of our access tokens, so the
    /// API is served as a provider's own service would be, checking the key itself.
    /// </summary>
    public static IApplicationBuilder UseLocalPaymentProviderApi(this IApplicationBuilder app) =>
        app.MapWhen(http => http.Request.Path.StartsWithSegments($"{Prefix}/v1"), branch => branch.UseRouting().UseEndpoints(endpoints =>
        {
            var api = endpoints.MapGroup($"{Prefix}/v1").ExcludeFromDescription().Public();
            api.MapPost("/checkout/sessions", CreateSession);
            api.MapGet("/checkout/sessions/{id}", GetSession);
            api.MapPost("/checkout/sessions/{id}/expire", ExpireSession);
            api.MapPost("/refunds", CreateRefund);
        }));

    public static IEndpointRouteBuilder MapLocalPaymentPages(this IEndpointRouteBuilder app)
    {
        // The payment page: its address is the payer's credential, as at a provider.
        var pages = app.MapGroup($"{Prefix}/checkout").ExcludeFromDescription().Public();
        pages.MapGet("/{id}", ShowPage);
        pages.MapPost("/{id}", PayAsync);
        pages.MapPost("/{id}/authenticate", AuthenticateAsync);
        return app;
    }

    // ---- The API (Stripe's shape) ----

    private static Task<IResult> CreateSession(HttpContext http, PaymentDbContext db, IOptions<PaymentOptions> options, TimeProvider clock) =>
        ApiAsync(http, db, options, async form =>
        {
            var currency = form.Get("line_items[0][price_data][currency]");
            long amount = 0;
            for (var i = 0; form.Get($"line_items[{i}][price_data][unit_amount]") is { } unit; i++)
            {
                if (!long.TryParse(unit, CultureInfo.InvariantCulture, out var each) || each <= 0
                    || !long.TryParse(form.Get($"line_items[{i}][quantity]") ?? "1", CultureInfo.InvariantCulture, out var quantity) || quantity <= 0)
                {
                    return Invalid($"line_items[{i}] needs a positive unit_amount and quantity.");
                }
                amount += each * quantity;
            }
            if (amount <= 0 || currency is not { Length: 3 } || form.Get("success_url") is not { } success)
            {
                return Invalid("A payment session needs line_items with price_data (currency, unit_amount) and a success_url.");
            }
            var now = clock.GetUtcNow();
            var expiresAt = long.TryParse(form.Get("expires_at"), CultureInfo.InvariantCulture, out var unix)
                ? DateTimeOffset.FromUnixTimeSeconds(unix) : now.AddHours(24);
            if (expiresAt <= now)
            {
                return Invalid("expires_at must be in the future.");
            }
            var session = new LocalSession
            {
                Id = NewId("cs_local"),
                ClientReferenceId = form.Get("client_reference_id"),
                Metadata = Metadata(form, "metadata"),
                PaymentMetadata = Metadata(form, "payment_intent_data[metadata]"),
                AmountTotal = amount,
                Currency = currency.ToLowerInvariant(),
                Description = form.Get("line_items[0][price_data][product_data][name]") ?? "Payment",
                SuccessUrl = success,
                CancelUrl = form.Get("cancel_url") ?? success,
                PaymentIntent = NewId("pi_local"),
                ExpiresAt = expiresAt,
                CreatedAt = now,
            };
            db.LocalSessions.Add(session);
            await db.SaveChangesAsync(http.RequestAborted);
            return (StatusCodes.Status200OK, LocalStripeJson.Session(session, options.Value.LocalBaseUrl!));
        });

    private static Task<IResult> GetSession(string id, HttpContext http, PaymentDbContext db, IOptions<PaymentOptions> options) =>
        ApiAsync(http, db, options, async _ =>
            await db.LocalSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, http.RequestAborted) is { } session
                ? (StatusCodes.Status200OK, LocalStripeJson.Session(session, options.Value.LocalBaseUrl!))
                : NoSuch(id));

    private static Task<IResult> ExpireSession(string id, HttpContext http, PaymentDbContext db, IOptions<PaymentOptions> options, TimeProvider clock) =>
        ApiAsync(http, db, options, _ => db.InTransactionAsync<(int, JsonObject)>(async () =>
        {
            var ct = http.RequestAborted;
            var session = await db.LocalSessions.FromSql($"SELECT * FROM local_pay_sessions WHERE id = {id} FOR UPDATE").SingleOrDefaultAsync(ct);
            if (session is null)
            {
                return NoSuch(id);
            }
            if (session.Status != LocalSession.Open)
            {
                return (StatusCodes.Status400BadRequest, LocalStripeJson.Error("invalid_request_error",
                    $"Only open Checkout Sessions can be expired; {id} is {session.Status}.", "checkout_session_not_open"));
            }
            session.Status = LocalSession.Expired;
            LocalWebhookSender.Queue(db, "checkout.session.expired", LocalStripeJson.Session(session, options.Value.LocalBaseUrl!), clock);
            await db.SaveChangesAsync(ct);
            return (StatusCodes.Status200OK, LocalStripeJson.Session(session, options.Value.LocalBaseUrl!));
        }, http.RequestAborted));

    private static Task<IResult> CreateRefund(HttpContext http, PaymentDbContext db, IOptions<PaymentOptions> options, TimeProvider clock) =>
        ApiAsync(http, db, options, form => db.InTransactionAsync<(int, JsonObject)>(async () =>
        {
            var ct = http.RequestAborted;
            var intent = form.Get("payment_intent");
            // Locked, so that two refunds at once cannot together return more than was paid.
            var session = await db.LocalSessions.FromSql($"SELECT * FROM local_pay_sessions WHERE payment_intent = {intent} FOR UPDATE").SingleOrDefaultAsync(ct);
            if (session is null || session.Status != LocalSession.Complete)
            {
                return (StatusCodes.Status400BadRequest, LocalStripeJson.Error("invalid_request_error", $"No captured payment {intent} to refund.", "resource_missing"));
            }
            var refunded = await db.LocalRefunds.Where(r => r.PaymentIntent == intent).SumAsync(r => r.Amount, ct);
            var amount = long.TryParse(form.Get("amount"), CultureInfo.InvariantCulture, out var asked) ? asked : session.AmountTotal - refunded;
            if (amount <= 0 || refunded + amount > session.AmountTotal)
            {
                return Invalid($"Refund amount ({amount}) is greater than the unrefunded amount on the payment ({session.AmountTotal - refunded}).");
            }
            var refund = new LocalRefund { Id = NewId("re_local"), PaymentIntent = intent!, Amount = amount, CreatedAt = clock.GetUtcNow() };
            db.LocalRefunds.Add(refund);
            LocalWebhookSender.Queue(db, "refund.created", LocalStripeJson.Refund(refund, session.Currency), clock);
            await db.SaveChangesAsync(ct);
            return (StatusCodes.Status200OK, LocalStripeJson.Refund(refund, session.Currency));
        }, http.RequestAborted));

    /// <summary>
    /// One API call: the secret key checked, the form body read, and with an Idempotency-Key the first answer kept
    /// for the same key and body, and another body with that key refused.
    /// </summary>
    private static async Task<IResult> ApiAsync(HttpContext http, PaymentDbContext db, IOptions<PaymentOptions> options,
        Func<Dictionary<string, Microsoft.Extensions.Primitives.StringValues>, Task<(int Status, JsonObject Body)>> handle)
    {
        var ct = http.RequestAborted;
        var expected = Encoding.UTF8.GetBytes($"Bearer {options.Value.SecretKey}");
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(http.Request.Headers.Authorization.ToString()), expected))
        {
            return Answer(StatusCodes.Status401Unauthorized, LocalStripeJson.Error("invalid_request_error", "Invalid API Key provided."));
        }
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(ct);
        var form = QueryHelpers.ParseQuery(body);
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (key.Length == 0 || HttpMethods.IsGet(http.Request.Method))
        {
            var (status, answer) = await handle(form);
            return Answer(status, answer);
        }
        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{http.Request.Method} {http.Request.Path}\n{body}")));
        var first = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO local_pay_requests (key, request_hash, created_at) VALUES ({key}, {hash}, now()) ON CONFLICT (key) DO NOTHING
            """, ct) == 1;
        if (!first)
        {
            var earlier = await db.LocalRequests.AsNoTracking().SingleAsync(r => r.Key == key, ct);
            if (earlier.RequestHash != hash)
            {
                return Answer(StatusCodes.Status400BadRequest, LocalStripeJson.Error("idempotency_error",
                    $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."));
            }
            if (earlier.StatusCode is not { } replayed)
            {
                return Answer(StatusCodes.Status409Conflict, LocalStripeJson.Error("idempotency_error",
                    "There is currently another in-progress request using this Idempotent Key. Please try again later.", "idempotency_key_in_use"));
            }
            http.Response.Headers["Idempotent-Replayed"] = "true";
            return Results.Text(earlier.Response, "application/json", Encoding.UTF8, replayed);
        }
        try
        {
            var (status, answer) = await handle(form);
            var json = LocalStripeJson.Write(answer);
            await db.LocalRequests.Where(r => r.Key == key).ExecuteUpdateAsync(r => r
                .SetProperty(x => x.StatusCode, status).SetProperty(x => x.Response, json), ct);
            return Results.Text(json, "application/json", Encoding.UTF8, status);
        }
        catch
        {
            // Nothing was answered: the key is free for the retry.
            await db.LocalRequests.Where(r => r.Key == key && r.StatusCode == null).ExecuteDeleteAsync(CancellationToken.None);
            throw;
        }
    }

    // ---- The payment page ----

    private static async Task<IResult> ShowPage(string id, PaymentDbContext db, TimeProvider clock, CancellationToken ct) =>
        await db.LocalSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is { } session
            ? PageOf(session, clock, StatusCodes.Status200OK)
            : Page(StatusCodes.Status404NotFound, "No such payment", "<p>This link does not open a payment. Use the link from your invoice.</p>");

    private static async Task<IResult> PayAsync(string id, HttpContext http, PaymentDbContext db, IOptions<PaymentOptions> options, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        var form = await http.Request.ReadFormAsync(ct);
        var card = new string(form["card"].ToString().Where(char.IsAsciiDigit).ToArray());
        if (await db.LocalSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct) is not { } session)
        {
            return Page(StatusCodes.Status404NotFound, "No such payment", "<p>This link does not open a payment. Use the link from your invoice.</p>");
        }
        if (session.Status != LocalSession.Open || session.ExpiresAt <= clock.GetUtcNow())
        {
            return PageOf(session, clock, StatusCodes.Status409Conflict);
        }
        switch (card)
        {
            case SuccessCard:
                return await CaptureAsync(http, db, options, clock, session, chargeId: null, card[^4..]);
            case DeclineCard:
                db.LocalCharges.Add(new LocalCharge { SessionId = id, CardLast4 = card[^4..], Outcome = LocalCharge.Declined, CreatedAt = clock.GetUtcNow() });
                LocalWebhookSender.Queue(db, "payment_intent.payment_failed", LocalStripeJson.PaymentIntent(session, "requires_payment_method", DeclinedMessage), clock);
                await db.SaveChangesAsync(ct);
                return PageOf(session, clock, StatusCodes.Status402PaymentRequired, error: $"{DeclinedMessage} Try another card.");
            case AuthenticationCard:
                var pending = new LocalCharge { SessionId = id, CardLast4 = card[^4..], Outcome = LocalCharge.RequiresAction, CreatedAt = clock.GetUtcNow() };
                db.LocalCharges.Add(pending);
                await db.SaveChangesAsync(ct);
                return AuthenticationPage(session, pending);
            default:
                return PageOf(session, clock, StatusCodes.Status400BadRequest,
                    error: $"This is a test payment page: use the card {Spaced(SuccessCard)} (pays), {Spaced(DeclineCard)} (declined) or {Spaced(AuthenticationCard)} (asks your bank).");
        }
    }

    private static async Task<IResult> AuthenticateAsync(string id, HttpContext http, PaymentDbContext db, IOptions<PaymentOptions> options, TimeProvider clock)
    {
        var ct = http.RequestAborted;
        var form = await http.Request.ReadFormAsync(ct);
        long.TryParse(form["charge"], CultureInfo.InvariantCulture, out var chargeId);
        var session = await db.LocalSessions.AsNoTracking().SingleOrDefaultAsync(s => s.Id == id, ct);
        var charge = await db.LocalCharges.SingleOrDefaultAsync(c => c.Id == chargeId && c.SessionId == id && c.Outcome == LocalCharge.RequiresAction, ct);
        if (session is null || charge is null)
        {
            return Page(StatusCodes.Status404NotFound, "No such payment", "<p>There is no payment waiting for your bank here.</p>");
        }
        if (session.Status != LocalSession.Open || session.ExpiresAt <= clock.GetUtcNow())
        {
            return PageOf(session, clock, StatusCodes.Status409Conflict);
        }
        if (form["outcome"] == "complete")
        {
            return await CaptureAsync(http, db, options, clock, session, charge.Id, charge.CardLast4);
        }
        charge.Outcome = LocalCharge.AuthenticationFailed;
        LocalWebhookSender.Queue(db, "payment_intent.payment_failed", LocalStripeJson.PaymentIntent(session, "requires_payment_method", AuthenticationFailedMessage), clock);
        await db.SaveChangesAsync(ct);
        return PageOf(session, clock, StatusCodes.Status402PaymentRequired, error: $"{AuthenticationFailedMessage} Try again, or use another card.");
    }

    /// <summary>
    /// Takes the money, once: the page turns complete only from open and before it expires (one statement), and the
    /// database allows one successful charge per page, so a second click, a second tab or a replayed form pays nothing.
    /// </summary>
    private static async Task<IResult> CaptureAsync(HttpContext http, PaymentDbContext db, IOptions<PaymentOptions> options, TimeProvider clock,
        LocalSession session, long? chargeId, string cardLast4)
    {
        var ct = http.RequestAborted;
        var paid = await db.InTransactionAsync(async () =>
        {
            var now = clock.GetUtcNow();
            var captured = await db.LocalSessions.Where(s => s.Id == session.Id && s.Status == LocalSession.Open && s.ExpiresAt > now)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Status, LocalSession.Complete).SetProperty(x => x.CompletedAt, now), ct) == 1;
            if (!captured)
            {
                return null;
            }
            if (chargeId is { } confirmed)
            {
                await db.LocalCharges.Where(c => c.Id == confirmed).ExecuteUpdateAsync(c => c.SetProperty(x => x.Outcome, LocalCharge.Succeeded), ct);
            }
            else
            {
                db.LocalCharges.Add(new LocalCharge { SessionId = session.Id, CardLast4 = cardLast4, Outcome = LocalCharge.Succeeded, CreatedAt = now });
            }
            var completed = await db.LocalSessions.AsNoTracking().SingleAsync(s => s.Id == session.Id, ct);
            LocalWebhookSender.Queue(db, "checkout.session.completed", LocalStripeJson.Session(completed, options.Value.LocalBaseUrl!), clock);
            await db.SaveChangesAsync(ct);
            return completed;
        }, ct);
        return paid is null
            ? PageOf(await db.LocalSessions.AsNoTracking().SingleAsync(s => s.Id == session.Id, ct), clock, StatusCodes.Status409Conflict)
            : Results.Redirect(paid.SuccessUrl.Replace("{CHECKOUT_SESSION_ID}", paid.Id, StringComparison.Ordinal));
    }

    private static IResult PageOf(LocalSession session, TimeProvider clock, int status, string? error = null)
    {
        var amount = $"{MinorUnits.To(session.AmountTotal, session.Currency).ToString("N" + Contracts.Payments.Currencies.MinorDigits(session.Currency.ToUpperInvariant()), CultureInfo.InvariantCulture)} {session.Currency.ToUpperInvariant()}";
        var what = $"<p>{Html(session.Description)}: <strong>{Html(amount)}</strong></p>";
        if (session.Status == LocalSession.Complete)
        {
            return Page(status, "Paid", $"{what}<p>This payment is complete. Nothing more is taken.</p><p><a href=\"{Html(session.SuccessUrl)}\">Back to ClinicBooking</a></p>");
        }
        if (session.Status == LocalSession.Expired || session.ExpiresAt <= clock.GetUtcNow())
        {
            return Page(status, "This payment page is closed", $"{what}<p>It was not paid in time, and nothing was taken.</p><p><a href=\"{Html(session.CancelUrl)}\">Back to ClinicBooking</a></p>");
        }
        var alert = error is null ? "" : $"<p role=\"alert\"><strong>{Html(error)}</strong></p>";
        return Page(status, "Pay by card", $"""
            {what}{alert}
            <form method="post" action="{PagePath(session.Id)}">
              <label for="card">Card number</label>
              <input id="card" name="card" inputmode="numeric" autocomplete="cc-number" required>
              <button type="submit">Pay {Html(amount)}</button>
            </form>
            <p>Test cards: {Spaced(SuccessCard)} pays; {Spaced(DeclineCard)} is declined; {Spaced(AuthenticationCard)} asks your bank to confirm.</p>
            <p><a href="{Html(session.CancelUrl)}">Cancel and go back</a></p>
            """);
    }

    private static IResult AuthenticationPage(LocalSession session, LocalCharge charge) =>
        Page(StatusCodes.Status200OK, "Confirm with your bank", $"""
            <p>Your bank asks you to confirm the payment of {Html(session.Description)} with the card ending {Html(charge.CardLast4)}.</p>
            <form method="post" action="{PagePath(session.Id)}/authenticate">
              <input type="hidden" name="charge" value="{charge.Id}">
              <button type="submit" name="outcome" value="complete">Confirm the payment</button>
              <button type="submit" name="outcome" value="fail">Fail the confirmation</button>
            </form>
            """);

    private static IResult Page(int status, string title, string content) =>
        Results.Content($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{Html(title)} · Local payments</title></head>
            <body><main><h1>{Html(title)}</h1>{content}
            <p><small>ClinicBooking's local payment provider: a stand-in for the card provider. No real card is charged.</small></p></main></body></html>
            """, "text/html; charset=utf-8", Encoding.UTF8, status);

    private static string Html(string text) => WebUtility.HtmlEncode(text);

    private static string Spaced(string card) => string.Join(' ', card.Chunk(4).Select(c => new string(c)));

    private static string? Get(this Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form, string key) =>
        form.TryGetValue(key, out var value) && value.Count > 0 ? value.ToString() : null;

    private static string Metadata(Dictionary<string, Microsoft.Extensions.Primitives.StringValues> form, string prefix)
    {
        var metadata = new JsonObject();
        foreach (var (key, value) in form.Where(f => f.Key.StartsWith(prefix + "[", StringComparison.Ordinal) && f.Key.EndsWith(']') && f.Key.Count(c => c == '[') == prefix.Count(c => c == '[') + 1))
        {
            metadata[key[(prefix.Length + 1)..^1]] = value.ToString();
        }
        return LocalStripeJson.Write(metadata);
    }

    private static (int, JsonObject) Invalid(string message) =>
        (StatusCodes.Status400BadRequest, LocalStripeJson.Error("invalid_request_error", message, "parameter_invalid"));

    private static (int, JsonObject) NoSuch(string id) =>
        (StatusCodes.Status404NotFound, LocalStripeJson.Error("invalid_request_error", $"No such checkout session: '{id}'", "resource_missing"));

    private static IResult Answer(int status, JsonObject body) => Results.Text(LocalStripeJson.Write(body), "application/json", Encoding.UTF8, status);

    internal static string NewId(string prefix) => $"{prefix}_{Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant()}";
}
