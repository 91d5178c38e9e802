using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Text.Json.Nodes;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Payments;
using ClinicBooking.Messages;
using ClinicBooking.PaymentService.Checkouts;
using ClinicBooking.PaymentService.Credit;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Extensions;
using ClinicBooking.PaymentService.Invoices;
using ClinicBooking.PaymentService.LocalProvider;
using ClinicBooking.PaymentService.Providers;
using ClinicBooking.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Stripe;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// Card payments as PaymentService makes them, over real HTTP on loopback: Stripe's client (the one adapter) talks to
/// the local provider, the payer pays on its page, and its signed webhooks come back to the webhook endpoint, on a
/// migrated database of the scratch server.
/// </summary>
public sealed class CardPaymentTests(ScratchPostgres postgres) : IAsyncLifetime
{
    private const long Clinic = (12 << 6) | 0, Doctor = 120, Customer = 1200;
    private const string WebhookSecret = "whsec_component_test_secret";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private WebApplication _app = null!;
    private HttpClient _http = null!;
    private long _nextBooking = 1;

    public async ValueTask InitializeAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync($"cards_{Guid.NewGuid():N}");
        var baseUrl = $"http://127.0.0.1:{FreePort()}";
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseUrls(baseUrl);
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Payments:Provider"] = "Local",
            ["Payments:SecretKey"] = "sk_component_test",
            ["Payments:WebhookSecret"] = WebhookSecret,
            ["Payments:LocalApiBase"] = $"{baseUrl}/local-pay",
            ["Payments:LocalBaseUrl"] = baseUrl,
            ["Payments:ReturnUrl"] = "http://webapp.test",
        });
        builder.Services.AddProblemHandling();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDbContext<PaymentDbContext>(options => options.UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure()).UseSnakeCaseNamingConvention());
        builder.AddPaymentProvider();
        _app = builder.Build();
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<PaymentDbContext>().Database.MigrateAsync(Ct);
        }
        _app.UseDefaultExceptionHandling();
        _app.MapProviderWebhooks();
        _app.UseLocalPaymentProviderApi();
        _app.MapLocalPaymentPages();
        await _app.StartAsync(Ct);
        _http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(baseUrl) };
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    [Fact]
    public async Task A_retried_card_payment_opens_one_page_and_charges_once()
    {
        var invoice = await BilledAsync(45.50m);
        var opened = Assert.IsType<Created<CheckoutResponse>>((await OpenAsync([invoice], "pay-once")).Result).Value!;
        Assert.Equal((Checkout.Open, 45.50m, "EUR"), (opened.Status, opened.Amount, opened.Currency));
        Assert.NotNull(opened.PaymentUrl);

        // The same request again, with its key or without one while the page is open: the same page.
        var again = Assert.IsType<Ok<CheckoutResponse>>((await OpenAsync([invoice], "pay-once")).Result).Value!;
        var unkeyed = Assert.IsType<Ok<CheckoutResponse>>((await OpenAsync([invoice], null)).Result).Value!;
        Assert.Equal((opened.Id, opened.PaymentUrl), (again.Id, again.PaymentUrl));
        Assert.Equal((opened.Id, opened.PaymentUrl), (unkeyed.Id, unkeyed.PaymentUrl));
        var other = await BilledAsync(10m);
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => OpenAsync([other], "pay-once"))).Status);

        // At the provider: one page; its API replays a retried call and refuses the key with another body.
        await using (var db = Db())
        {
            Assert.Single(await db.LocalSessions.Where(s => s.ClientReferenceId == opened.Id.ToString()).ToListAsync(Ct));
        }
        var provider = _app.Services.GetRequiredService<IPaymentProvider>();
        var request = new CheckoutRequest(opened.Id.ToString(), 45.50m, "EUR", $"Invoice {invoice}", new Uri($"http://webapp.test/checkouts/{opened.Id}"), opened.ExpiresAt);
        var replayed = await provider.CreateCheckoutAsync(request, $"checkout-{opened.Id}", Ct);
        Assert.Equal(opened.PaymentUrl, replayed.Url.ToString());
        var refused = await Assert.ThrowsAsync<StripeException>(() => provider.CreateCheckoutAsync(request with { Amount = 1m }, $"checkout-{opened.Id}", Ct));
        Assert.Equal("idempotency_error", refused.StripeError.Type);

        // Paid with the success card; the same form sent again takes nothing more.
        var page = await _http.GetStringAsync(opened.PaymentUrl, Ct);
        Assert.Contains("Pay by card", page);
        var paid = await PayAsync(opened, LocalProviderApi.SuccessCard);
        Assert.Equal(HttpStatusCode.Redirect, paid.StatusCode);
        Assert.Equal($"http://webapp.test/checkouts/{opened.Id}", paid.Headers.Location!.ToString());
        var twice = await PayAsync(opened, LocalProviderApi.SuccessCard);
        Assert.Equal(HttpStatusCode.Conflict, twice.StatusCode);
        Assert.Contains("This payment is complete", await twice.Content.ReadAsStringAsync(Ct));

        var settled = await PaidAsync(opened.Id);
        await using (var db = Db())
        {
            var session = await db.LocalSessions.Include(s => s.Charges).SingleAsync(s => s.ClientReferenceId == opened.Id.ToString(), Ct);
            Assert.Single(session.Charges, c => c.Outcome == LocalCharge.Succeeded);
            var payment = await db.Payments.Include(p => p.Allocations).SingleAsync(p => p.CheckoutId == opened.Id, Ct);
            Assert.Equal((PaymentMethods.Card, 45.50m, session.PaymentIntent, settled.PaymentId), (payment.Method, payment.Amount, payment.ProviderReference, (long?)payment.Id));
            Assert.Equal(45.50m, Assert.Single(payment.Allocations).Amount);
            var bill = await db.Invoices.SingleAsync(i => i.Id == invoice, Ct);
            Assert.Equal((InvoiceStatuses.Paid, 45.50m), (bill.Status, bill.Settled));
        }
        // A paid invoice opens no new page.
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => OpenAsync([invoice], null))).Status);
    }

    [Fact]
    public async Task Duplicated_and_reordered_webhooks_are_applied_once()
    {
        var switches = _app.Services.GetRequiredService<LocalWebhookSwitches>();
        switches.Duplicate = true;
        switches.Reorder = true;
        var three = new[] { await BilledAsync(20m), await BilledAsync(20m), await BilledAsync(20.01m) };
        var opened = Assert.IsType<Created<CheckoutResponse>>((await OpenAsync(three, null)).Result).Value!;
        Assert.Equal(60.01m, opened.Amount);

        Assert.Equal(HttpStatusCode.PaymentRequired, (await PayAsync(opened, LocalProviderApi.DeclineCard)).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await PayAsync(opened, LocalProviderApi.SuccessCard)).StatusCode);

        // Held until the provider is quiet, then sent newest first, each twice: the capture before the decline.
        var settled = await PaidAsync(opened.Id);
        var sessionId = await SessionOfAsync(opened.Id);
        var sent = await EventuallyAsync(async db =>
        {
            var webhooks = await db.LocalWebhooks.AsNoTracking().Where(w => w.Payload.Contains(sessionId) || w.Payload.Contains($"\"checkout\":\"{opened.Id}\""))
                .OrderBy(w => w.Sequence).ToListAsync(Ct);
            return webhooks.Count == 2 && webhooks.All(w => w.DeliveredAt != null) ? webhooks : null;
        });
        Assert.Equal(["payment_intent.payment_failed", "checkout.session.completed"], sent.Select(w => w.Type));
        Assert.All(sent, w => Assert.Equal(2, w.Deliveries));
        Assert.True(sent[1].DeliveredAt <= sent[0].DeliveredAt, "The capture was sent first.");

        // Applied once each: one payment for the three invoices, to the cent; the late decline did not mark the paid checkout.
        Assert.Null(settled.LastFailure);
        await using var db = Db();
        Assert.Equal(2, await db.ProviderEvents.CountAsync(e => sent.Select(w => w.Id).Contains(e.Id), Ct));
        var payment = await db.Payments.Include(p => p.Allocations).SingleAsync(p => p.CheckoutId == opened.Id, Ct);
        Assert.Equal(60.01m, payment.Amount);
        Assert.Equal(payment.Amount, payment.Allocations.Sum(a => a.Amount));
        foreach (var id in three)
        {
            var invoice = await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == id, Ct);
            Assert.Equal((InvoiceStatuses.Paid, invoice.Total), (invoice.Status, invoice.Settled));
        }
        // And the same capture applied by hand again changes nothing.
        var capture = _app.Services.GetRequiredService<IPaymentProvider>().ReadWebhook(sent[1].Payload, Sign(sent[1].Payload, DateTimeOffset.UtcNow));
        Assert.False(await CheckoutSettlement.ApplyAsync(db, capture, NullLogger.Instance, Ct));
        Assert.Single(await db.Payments.Where(p => p.CheckoutId == opened.Id).ToListAsync(Ct));
    }

    [Fact]
    public async Task A_tampered_or_stale_webhook_is_refused_and_changes_nothing()
    {
        var invoice = await BilledAsync(30m);
        var opened = Assert.IsType<Created<CheckoutResponse>>((await OpenAsync([invoice], null)).Result).Value!;
        await using var db = Db();
        var session = await db.LocalSessions.AsNoTracking().SingleAsync(s => s.ClientReferenceId == opened.Id.ToString(), Ct);
        // What the provider would send had the page been paid.
        var paidSession = LocalStripeJson.Session(session, new Uri("http://provider.test"));
        paidSession["status"] = "complete";
        paidSession["payment_status"] = "paid";
        var eventId = LocalProviderApi.NewId("evt_test");
        var body = LocalStripeJson.Write(LocalStripeJson.Event(eventId, "checkout.session.completed", paidSession, DateTimeOffset.UtcNow));

        var tampered = body.Replace("\"amount_total\":3000", "\"amount_total\":1");
        Assert.NotEqual(body, tampered);
        foreach (var (what, payload, signature) in new[]
        {
            ("tampered body", tampered, Sign(body, DateTimeOffset.UtcNow)),
            ("stale signature", body, Sign(body, DateTimeOffset.UtcNow.AddMinutes(-6))),
            ("another secret", body, EventUtility.GenerateSignatureHeader(body, "whsec_someone_else", DateTimeOffset.UtcNow.ToUnixTimeSeconds())),
            ("no signature", body, null),
        })
        {
            var refused = await PostWebhookAsync(payload, signature);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{what}: {refused.StatusCode}");
            var problem = JsonNode.Parse(await refused.Content.ReadAsStringAsync(Ct))!;
            Assert.StartsWith("The webhook was refused", problem["detail"]!.GetValue<string>());
        }
        Assert.False(await db.ProviderEvents.AnyAsync(e => e.Id == eventId, Ct));
        Assert.False(await db.Payments.AnyAsync(p => p.CheckoutId == opened.Id, Ct));
        Assert.Equal(Checkout.Open, (await db.Checkouts.AsNoTracking().SingleAsync(c => c.Id == opened.Id, Ct)).Status);

        // The same event, signed now with the secret: applied (so the refusals above were for their signatures).
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync(body, Sign(body, DateTimeOffset.UtcNow))).StatusCode);
        Assert.Equal(Checkout.Paid, (await db.Checkouts.AsNoTracking().SingleAsync(c => c.Id == opened.Id, Ct)).Status);
    }

    [Fact]
    public async Task A_page_closed_unpaid_expires_its_checkout_and_takes_no_card()
    {
        var invoice = await BilledAsync(25m);
        var opened = Assert.IsType<Created<CheckoutResponse>>((await OpenAsync([invoice], null)).Result).Value!;
        var sessionId = await SessionOfAsync(opened.Id);
        await _app.Services.GetRequiredService<IPaymentProvider>().ExpireCheckoutAsync(sessionId, Ct);
        await _app.Services.GetRequiredService<IPaymentProvider>().ExpireCheckoutAsync(sessionId, Ct); // closing it again changes nothing

        var expired = await EventuallyAsync(async db => await db.Checkouts.AsNoTracking().SingleAsync(c => c.Id == opened.Id, Ct) is { Status: Checkout.Expired } c ? c : null);
        Assert.Null(expired.PaymentId);
        var late = await PayAsync(opened, LocalProviderApi.SuccessCard);
        Assert.Equal(HttpStatusCode.Conflict, late.StatusCode);
        Assert.Contains("nothing was taken", await late.Content.ReadAsStringAsync(Ct));
        await using var db = Db();
        Assert.False(await db.LocalCharges.AnyAsync(c => c.SessionId == sessionId, Ct));
        Assert.Equal(InvoiceStatuses.Open, (await db.Invoices.SingleAsync(i => i.Id == invoice, Ct)).Status);
        // The invoice can be paid on a new page.
        var reopened = Assert.IsType<Created<CheckoutResponse>>((await OpenAsync([invoice], null)).Result).Value!;
        Assert.NotEqual(opened.Id, reopened.Id);
    }

    [Fact]
    public async Task Staff_give_paid_money_back_as_credit_and_refund_credit_to_the_card_once_never_past_what_it_took()
    {
        var invoice = await BilledAsync(45.50m);
        var opened = Assert.IsType<Created<CheckoutResponse>>((await OpenAsync([invoice], null)).Result).Value!;
        Assert.Equal(HttpStatusCode.Redirect, (await PayAsync(opened, LocalProviderApi.SuccessCard)).StatusCode);
        var paid = await PaidAsync(opened.Id);

        // A goodwill credit of 20.00; more than the 25.50 left to give back is refused.
        var note = await IssueCreditNoteAsync(invoice, 20m, "The doctor ran an hour late");
        Assert.Equal((20m, "EUR", "The doctor ran an hour late"), (note.Amount, note.Currency, note.Reason));
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => IssueCreditNoteAsync(invoice, 30m, "Too much"))).Status);

        // Refunds come out of credit: 25.00 is more than the 20.00 there; 15.00 goes back to the card, once.
        Assert.Equal(409, (await Assert.ThrowsAsync<ProblemException>(() => RefundAsync(25m))).Status);
        var refunded = await RefundAsync(15m);
        var refund = Assert.Single(refunded.Refunds);
        Assert.Equal((15m, 5m, paid.PaymentId!.Value, ClinicBooking.PaymentService.Data.Refund.Succeeded), (refund.Amount, refunded.Balance, refund.PaymentId, refund.Status));
        await using (var scope = _app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PaymentDbContext>();
            // Sent again (a retry after a lost answer): the provider's answer is its first, and nothing more is refunded.
            await RefundSender.SendAsync(db, scope.ServiceProvider.GetRequiredService<IPaymentProvider>(), refund.Id, NullLogger.Instance, Ct);
            var intent = (await db.Payments.SingleAsync(p => p.Id == refund.PaymentId, Ct)).ProviderReference!;
            var again = await scope.ServiceProvider.GetRequiredService<IPaymentProvider>().RefundAsync(intent, 15m, "EUR", $"refund-{refund.Id}", Ct);
            var atProvider = await db.LocalRefunds.Where(r => r.PaymentIntent == intent).ToListAsync(Ct);
            Assert.Equal(1500, Assert.Single(atProvider).Amount);
            Assert.Equal(atProvider[0].Id, again);
            Assert.Equal([(CreditKinds.CreditNote, 20m), (CreditKinds.Refunded, -15m)],
                (await db.CreditEntries.Where(e => e.CustomerId == Customer).OrderBy(e => e.Id).ToListAsync(Ct)).Select(e => (e.Kind, e.Amount)));

            // The database refuses a refund past what the card took, and credit notes past what was paid.
            var connection = (NpgsqlConnection)db.Database.GetDbConnection();
            await connection.OpenAsync(Ct);
            await using var command = new NpgsqlCommand($"""
                INSERT INTO refunds (clinic_id, customer_id, payment_id, currency, amount, status, attempts, requested_by, created_at)
                VALUES ({Clinic}, {Customer}, {refund.PaymentId}, 'EUR', 30.51, 'pending', 0, 'test', now())
                """, connection);
            Assert.Equal(PaymentSchema.RefundsWithinPayment, (await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Ct))).ConstraintName);
            command.CommandText = $"""
                INSERT INTO credit_notes (clinic_id, customer_id, currency, amount, invoice_id, reason, issued_by, created_at)
                VALUES ({Clinic}, {Customer}, 'EUR', 25.51, {invoice}, 'test', 'test', now())
                """;
            Assert.Equal(PaymentSchema.CreditNotesWithinPaid, (await Assert.ThrowsAsync<PostgresException>(() => command.ExecuteNonQueryAsync(Ct))).ConstraintName);
        }

    }

    private async Task<CreditNoteResponse> IssueCreditNoteAsync(long invoice, decimal amount, string reason)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        return (await CreditApi.IssueCreditNote(invoice, new CreditNoteRequest(amount, reason), Staff(), scope.ServiceProvider.GetRequiredService<PaymentDbContext>(), Ct)).Value!;
    }

    private async Task<CreditRefundResponse> RefundAsync(decimal amount)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        return (await CreditApi.RefundCredit(new CreditRefundRequest(Clinic, Customer, "EUR", amount), Staff(), services.GetRequiredService<PaymentDbContext>(),
            services.GetRequiredService<IPaymentProvider>(), NullLogger<RefundSender>.Instance, Ct)).Value!;
    }

    private static ClaimsPrincipal Staff() => new(new ClaimsIdentity(
        [new Claim(ClaimNames.Subject, "desk"), new Claim(ClaimNames.Role, Roles.Staff), new Claim(ClaimNames.ClinicId, Clinic.ToString())], "test"));

    private async Task<long> BilledAsync(decimal amount)
    {
        var booking = _nextBooking++;
        var start = DateTimeOffset.UtcNow.AddDays(3);
        await using var db = Db();
        await BookingChangesConsumer.RecordAsync(db, new BookingStatusChanged(booking, Customer, Clinic, booking, Doctor,
            start, start.AddMinutes(30), BookingStatus.Confirmed, 2, DateTimeOffset.UtcNow, null, "Europe/Berlin", Price: new ClinicBooking.Contracts.Payments.Price(amount, "EUR")), Ct);
        return await db.InvoiceLines.Where(l => l.BookingId == booking).Select(l => l.InvoiceId).SingleAsync(Ct);
    }

    private async Task<Results<Created<CheckoutResponse>, Ok<CheckoutResponse>>> OpenAsync(long[] invoices, string? key)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var services = scope.ServiceProvider;
        return await CheckoutsApi.OpenCheckout(new CheckoutRequestBody(invoices), new IdempotencyKey(key), Patient(), services.GetRequiredService<PaymentDbContext>(),
            services.GetRequiredService<IPaymentProvider>(), services.GetRequiredService<IOptions<PaymentOptions>>(), TimeProvider.System,
            NullLogger<CheckoutRequestBody>.Instance, Ct);
    }

    private Task<HttpResponseMessage> PayAsync(CheckoutResponse checkout, string card) =>
        _http.PostAsync(LocalProviderApi.PagePath(checkout.PaymentUrl!.Split('/')[^1]), new FormUrlEncodedContent([new("card", card)]), Ct);

    private Task<HttpResponseMessage> PostWebhookAsync(string body, string? signature)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, LocalWebhookSender.WebhookPath) { Content = new StringContent(body) };
        if (signature is not null)
        {
            request.Headers.Add("Stripe-Signature", signature);
        }
        return _http.SendAsync(request, Ct);
    }

    private static string Sign(string body, DateTimeOffset at) => EventUtility.GenerateSignatureHeader(body, WebhookSecret, at.ToUnixTimeSeconds());

    private Task<Checkout> PaidAsync(long checkout) =>
        EventuallyAsync(async db => await db.Checkouts.AsNoTracking().SingleAsync(c => c.Id == checkout, Ct) is { Status: Checkout.Paid } paid ? paid : null);

    private async Task<string> SessionOfAsync(long checkout)
    {
        await using var db = Db();
        return (await db.Checkouts.AsNoTracking().SingleAsync(c => c.Id == checkout, Ct)).SessionId!;
    }

    /// <summary>Polls until <paramref name="read"/> finds what the webhooks were to bring (30 s at most).</summary>
    private async Task<T> EventuallyAsync<T>(Func<PaymentDbContext, Task<T?>> read) where T : class
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            await using (var db = Db())
            {
                if (await read(db) is { } found)
                {
                    return found;
                }
            }
            Assert.True(DateTime.UtcNow < until, "The provider's webhooks did not bring it within 30 s.");
            await Task.Delay(100, Ct);
        }
    }

    private PaymentDbContext Db() => _app.Services.CreateAsyncScope().ServiceProvider.GetRequiredService<PaymentDbContext>();

    private static ClaimsPrincipal Patient() => new(new ClaimsIdentity(
        [new Claim(ClaimNames.Subject, "patient"), new Claim(ClaimNames.Role, Roles.Customer), new Claim(ClaimNames.CustomerId, Customer.ToString())], "test"));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
