using System.Text;
using System.Text.Json.Nodes;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Providers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Stripe;

namespace ClinicBooking.PaymentService.LocalProvider;

/// <summary>
/// How the local provider sends its events, switched by operators and tests (<c>PUT /operations/local-payments/webhooks</c>):
/// each sent twice (<see cref="Duplicate"/>), held until no new event came for <see cref="Delay"/> and then sent newest
/// first (<see cref="Reorder"/>), or each held for <see cref="Delay"/> before it is sent — what real providers do
/// now and then, and what the webhook endpoint must survive.
/// </summary>
public sealed class LocalWebhookSwitches
{
    public volatile bool Duplicate;
    public volatile bool Reorder;
    private long _delayTicks;

    public TimeSpan Delay
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _delayTicks));
        set => Interlocked.Exchange(ref _delayTicks, value.Ticks);
    }
}

public sealed record LocalWebhookSettings(bool Duplicate, bool Reorder, double DelaySeconds);

/// <summary>An event the local provider sent (or is sending), for operators and tests.</summary>
public sealed record LocalWebhookView(string Id, string Type, DateTimeOffset CreatedAt, DateTimeOffset? DeliveredAt, int Deliveries, int Attempts, string? LastError);

public sealed record LocalChargeView(string CardLast4, string Outcome, DateTimeOffset At);

/// <summary>A payment page at the local provider, with its card attempts and refunds.</summary>
public sealed record LocalSessionView(string Id, string? ClientReferenceId, decimal Amount, string Currency, string Status, string PaymentIntent,
    DateTimeOffset ExpiresAt, IReadOnlyList<LocalChargeView> Charges, decimal Refunded);

/// <summary>
/// Sends the local provider's events to the webhook endpoint (through the gateway, as a provider reaches a
/// deployment), each signed as Stripe signs (<c>Stripe-Signature: t=…,v1=…</c>, HMAC-SHA256 of the time and the body
/// with the webhook secret), until it answers 2xx, backing off after a failure. It also closes the pages whose time
/// ran out (<c>checkout.session.expired</c>).
/// </summary>
public sealed class LocalWebhookSender(IServiceScopeFactory scopes, IHttpClientFactory http, LocalWebhookSwitches switches,
    IOptions<PaymentOptions> options, TimeProvider clock, ILogger<LocalWebhookSender> logger) : BackgroundService
{
    public const string WebhookPath = "/payments/webhooks";
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(200);

    /// <summary>Queues an event in the caller's unit of work: it is sent only if what it tells of is saved.</summary>
    public static void Queue(PaymentDbContext db, string type, JsonObject data, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var id = LocalProviderApi.NewId("evt_local");
        db.LocalWebhooks.Add(new LocalWebhook
        {
            Id = id,
            Type = type,
            Payload = LocalStripeJson.Write(LocalStripeJson.Event(id, type, data, now)),
            CreatedAt = now,
            DeliverAfter = now,
        });
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<PaymentDbContext>();
                await ExpireDueAsync(db, stoppingToken);
                await SendDueAsync(db, stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "The local payment provider's round failed; trying again");
            }
        }
    }

    private Task ExpireDueAsync(PaymentDbContext db, CancellationToken ct) =>
        db.InTransactionAsync(async () =>
        {
            var now = clock.GetUtcNow();
            var due = await db.LocalSessions.FromSql($"""
                SELECT * FROM local_pay_sessions WHERE status = {LocalSession.Open} AND expires_at <= {now} LIMIT 50 FOR UPDATE SKIP LOCKED
                """).ToListAsync(ct);
            foreach (var session in due)
            {
                session.Status = LocalSession.Expired;
                Queue(db, "checkout.session.expired", LocalStripeJson.Session(session, options.Value.LocalBaseUrl!), clock);
            }
            return await db.SaveChangesAsync(ct);
        }, ct);

    private async Task SendDueAsync(PaymentDbContext db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var waiting = db.LocalWebhooks.Where(w => w.DeliveredAt == null);
        List<LocalWebhook> due;
        if (switches.Reorder)
        {
            // Held until the provider has been quiet for the delay (at least a second), then sent newest first.
            var hold = switches.Delay > TimeSpan.FromSeconds(1) ? switches.Delay : TimeSpan.FromSeconds(1);
            var newest = await waiting.MaxAsync(w => (DateTimeOffset?)w.CreatedAt, ct);
            due = newest is { } at && at <= now - hold
                ? await waiting.OrderByDescending(w => w.Sequence).Take(50).ToListAsync(ct)
                : [];
        }
        else
        {
            var sentFrom = now - switches.Delay;
            due = await waiting.Where(w => w.DeliverAfter <= now && w.CreatedAt <= sentFrom).OrderBy(w => w.Sequence).Take(50).ToListAsync(ct);
        }
        var client = http.CreateClient(nameof(LocalWebhookSender));
        var target = new Uri(options.Value.LocalBaseUrl!, WebhookPath);
        foreach (var webhook in due)
        {
            var copies = switches.Duplicate ? 2 : 1;
            try
            {
                for (var copy = 0; copy < copies; copy++)
                {
                    using var request = new HttpRequestMessage(HttpMethod.Post, target)
                    {
                        Content = new StringContent(webhook.Payload, Encoding.UTF8, "application/json"),
                    };
                    // Signed as it is sent: the signature's time is the delivery's, as Stripe does on each attempt.
                    request.Headers.Add("Stripe-Signature", EventUtility.GenerateSignatureHeader(webhook.Payload, options.Value.WebhookSecret!, clock.GetUtcNow().ToUnixTimeSeconds()));
                    using var response = await client.SendAsync(request, ct);
                    webhook.Attempts++;
                    response.EnsureSuccessStatusCode();
                    webhook.Deliveries++;
                }
                webhook.DeliveredAt = clock.GetUtcNow();
                webhook.LastError = null;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
            {
                webhook.LastError = ex.Message;
                webhook.DeliverAfter = clock.GetUtcNow() + TimeSpan.FromSeconds(Math.Min(30, Math.Pow(2, Math.Min(webhook.Attempts, 5))));
                logger.LogWarning("The local payment provider could not deliver {EventId} ({Type}): {Error}; trying again", webhook.Id, webhook.Type, ex.Message);
            }
        }
        await db.SaveChangesAsync(ct);
    }
}

public static class LocalProviderOperations
{
    public static IEndpointRouteBuilder MapLocalPaymentOperations(this IEndpointRouteBuilder app)
    {
        var operations = app.MapGroup("/operations/local-payments").WithTags("Operations").ExcludeFromDescription().AdministratorsAndServices();
        operations.MapGet("/", async Task<Ok<List<LocalSessionView>>> (string? reference, PaymentDbContext db, CancellationToken ct) =>
        {
            var sessions = await db.LocalSessions.AsNoTracking().Include(s => s.Charges)
                .Where(s => reference == null || s.ClientReferenceId == reference)
                .OrderByDescending(s => s.CreatedAt).Take(100).ToListAsync(ct);
            var intents = sessions.Select(s => s.PaymentIntent).ToList();
            var refunds = await db.LocalRefunds.AsNoTracking().Where(r => intents.Contains(r.PaymentIntent))
                .GroupBy(r => r.PaymentIntent).Select(g => new { g.Key, Amount = g.Sum(r => r.Amount) }).ToDictionaryAsync(g => g.Key, g => g.Amount, ct);
            return TypedResults.Ok(sessions.Select(s => new LocalSessionView(s.Id, s.ClientReferenceId, MinorUnits.To(s.AmountTotal, s.Currency),
                s.Currency.ToUpperInvariant(), s.Status, s.PaymentIntent, s.ExpiresAt,
                [.. s.Charges.OrderBy(c => c.Id).Select(c => new LocalChargeView(c.CardLast4, c.Outcome, c.CreatedAt))],
                MinorUnits.To(refunds.GetValueOrDefault(s.PaymentIntent), s.Currency))).ToList());
        });
        operations.MapGet("/webhooks", async Task<Ok<List<LocalWebhookView>>> (PaymentDbContext db, CancellationToken ct) =>
            TypedResults.Ok(await db.LocalWebhooks.AsNoTracking().OrderByDescending(w => w.Sequence).Take(200)
                .Select(w => new LocalWebhookView(w.Id, w.Type, w.CreatedAt, w.DeliveredAt, w.Deliveries, w.Attempts, w.LastError)).ToListAsync(ct)));
        operations.MapPut("/webhooks", NoContent (LocalWebhookSettings settings, LocalWebhookSwitches switches) =>
        {
            switches.Duplicate = settings.Duplicate;
            switches.Reorder = settings.Reorder;
            switches.Delay = TimeSpan.FromSeconds(Math.Clamp(settings.DelaySeconds, 0, 300));
            return TypedResults.NoContent();
        });
        return app;
    }
}
