using ClinicBooking.Contracts.Payments;
using ClinicBooking.Messages;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Outbox;
using ClinicBooking.PaymentService.Providers;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Checkouts;

/// <summary>
/// What the provider's webhooks change, each event applied once: its id is recorded in the same transaction as what
/// it changes, so a duplicate finds it and changes nothing. Order does not matter either: a capture records the card
/// payment from an open or an expired checkout (money taken is money taken), a failure only notes why on an open one,
/// and an expiry closes only an open one; a late failure or expiry after the capture changes nothing.
/// </summary>
public static class CheckoutSettlement
{
    public const string ProviderActor = "payment-provider";

    public static IEndpointRouteBuilder MapProviderWebhooks(this IEndpointRouteBuilder app)
    {
        // The provider is not one of our callers: the signature, not a token, says the event is the provider's.
        app.MapPost("/payments/webhooks", ReceiveAsync).WithTags("Payments").Public()
            .WithSummary("The payment provider's events (signed with the webhook secret); a bad or old signature is refused with 400")
            .ProducesProblem(StatusCodes.Status400BadRequest);
        return app;
    }

    public const int MaxBodyLength = 256 * 1024;

    public static async Task<Ok> ReceiveAsync(HttpContext http, IPaymentProvider provider, PaymentDbContext db, ILogger<Checkout> logger)
    {
        var ct = http.RequestAborted;
        if (http.Request.ContentLength > MaxBodyLength)
        {
            throw ProblemException.BadRequest($"A webhook's body is at most {MaxBodyLength} bytes.");
        }
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(ct);
        ProviderEvent providerEvent;
        try
        {
            providerEvent = provider.ReadWebhook(body, http.Request.Headers["Stripe-Signature"].ToString());
        }
        catch (WebhookRefusedException ex)
        {
            logger.LogWarning("A webhook was refused: {Reason}", ex.Message);
            throw ProblemException.BadRequest($"The webhook was refused: {ex.Message}");
        }
        await ApplyAsync(db, providerEvent, logger, ct);
        return TypedResults.Ok();
    }

    /// <summary>Applies one event; false when it was applied before (a duplicate).</summary>
    public static Task<bool> ApplyAsync(PaymentDbContext db, ProviderEvent e, ILogger logger, CancellationToken ct) =>
        db.InTransactionAsync(async () =>
        {
            var first = await db.Database.ExecuteSqlInterpolatedAsync($"""
                INSERT INTO provider_events (id, kind, reference, received_at) VALUES ({e.Id}, {e.Kind.ToString()}, {e.Reference}, now())
                ON CONFLICT (id) DO NOTHING
                """, ct) == 1;
            if (!first)
            {
                return false;
            }
            var checkout = long.TryParse(e.Reference, out var checkoutId)
                ? await db.Checkouts.FromSql($"SELECT * FROM checkouts WHERE id = {checkoutId} FOR UPDATE").Include(c => c.Invoices).SingleOrDefaultAsync(ct)
                : null;
            if (checkout is null)
            {
                if (e.Kind != ProviderEventKind.Other)
                {
                    logger.LogWarning("Provider event {EventId} ({Kind}) names no checkout of ours ({Reference})", e.Id, e.Kind, e.Reference);
                }
            }
            else if (e.Kind == ProviderEventKind.Paid)
            {
                await CaptureAsync(db, checkout, e, logger, ct);
            }
            else if (e.Kind == ProviderEventKind.PaymentFailed && checkout.Status == Checkout.Open)
            {
                checkout.LastFailure = e.FailureMessage;
            }
            else if (e.Kind == ProviderEventKind.Expired && checkout.Status == Checkout.Open)
            {
                checkout.Status = Checkout.Expired;
            }
            await db.SaveChangesAsync(ct);
            return true;
        }, ct);

    /// <summary>
    /// The card payment the provider captured, allocated to the checkout's invoices: each gets what the checkout meant
    /// for it, or less if it was paid otherwise meanwhile (at the desk); what no invoice can take stays on the payment,
    /// unallocated, for the clinic's staff to settle.
    /// </summary>
    private static async Task CaptureAsync(PaymentDbContext db, Checkout checkout, ProviderEvent e, ILogger logger, CancellationToken ct)
    {
        if (checkout.PaymentId is not null || await db.Payments.AnyAsync(p => p.ProviderReference == e.PaymentReference, ct))
        {
            return;
        }
        if (e.Currency != checkout.Currency || e.Amount is not > 0 || e.PaymentReference is null)
        {
            logger.LogError("Provider event {EventId} says {Amount} {Currency} was paid for checkout {CheckoutId} of {Expected} {ExpectedCurrency}; recorded as it says",
                e.Id, e.Amount, e.Currency, checkout.Id, checkout.Amount, checkout.Currency);
        }
        var ids = checkout.Invoices.Select(i => i.InvoiceId).ToList();
        // Locked in id order (as every allocation locks), so what each still owes cannot change under us.
        var invoices = await db.Invoices.FromSql($"SELECT * FROM invoices WHERE id = ANY({ids.ToArray()}) ORDER BY id FOR NO KEY UPDATE")
            .AsNoTracking().ToDictionaryAsync(i => i.Id, ct);
        var now = DateTimeOffset.UtcNow;
        var left = e.Amount ?? 0;
        var allocations = new List<PaymentAllocation>();
        foreach (var planned in checkout.Invoices.OrderBy(i => i.InvoiceId))
        {
            var invoice = invoices[planned.InvoiceId];
            var amount = invoice.Status == InvoiceStatuses.Open && invoice.Currency == e.Currency
                ? Math.Min(Math.Min(planned.Amount, invoice.Total - invoice.Settled), left) : 0;
            if (amount > 0)
            {
                allocations.Add(new PaymentAllocation { InvoiceId = invoice.Id, Amount = amount, CreatedAt = now });
                left -= amount;
            }
        }
        var payment = new Payment
        {
            ClinicId = checkout.ClinicId,
            CustomerId = checkout.CustomerId,
            Currency = e.Currency ?? checkout.Currency,
            Amount = e.Amount ?? checkout.Amount,
            Method = PaymentMethods.Card,
            RecordedBy = ProviderActor,
            ProviderReference = e.PaymentReference,
            CheckoutId = checkout.Id,
            CreatedAt = now,
            Allocations = allocations,
        };
        db.Payments.Add(payment);
        await db.SaveChangesAsync(ct);
        // Bookings paid when booked whose invoice this settled: their cells confirm them (in the same transaction).
        await PaidBookings.QueueAsync(db, ids, payment.Id, now, ct);
        if (left > 0)
        {
            // Its invoices were paid otherwise meanwhile, or its booking ended: the money is the customer's credit at the clinic.
            logger.LogWarning("Card payment {PaymentId} leaves {Left} {Currency} no invoice can take; it becomes the customer's credit", payment.Id, left, payment.Currency);
            db.CreditEntries.Add(new CreditEntry
            {
                ClinicId = payment.ClinicId, CustomerId = payment.CustomerId, Currency = payment.Currency, Amount = left,
                Kind = CreditKinds.Unallocated, PaymentId = payment.Id, RecordedBy = ProviderActor, CreatedAt = now,
            });
        }
        checkout.Status = Checkout.Paid;
        checkout.PaymentId = payment.Id;
        checkout.PaidAt = now;
        checkout.LastFailure = null;
    }
}
