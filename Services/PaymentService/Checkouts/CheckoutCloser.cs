using ClinicBooking.Contracts.Payments;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Providers;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Checkouts;

/// <summary>
/// Closes at the provider the payment pages still open for invoices that were voided (their booking ended unpaid:
/// cancelled, or its payment hold ran out), so nothing can be charged for a booking that is gone. The provider's
/// expiry event then marks each checkout expired. Throws when the provider does not answer: the caller retries.
/// </summary>
public sealed class CheckoutCloser(PaymentDbContext db, IPaymentProvider provider, ILogger<CheckoutCloser> logger)
{
    public async Task CloseVoidedAsync(IReadOnlyCollection<long> bookingIds, CancellationToken ct)
    {
        var voided = db.InvoiceLines.Where(l => l.BookingId != null && bookingIds.Contains(l.BookingId.Value)
                && db.Invoices.Any(i => i.Id == l.InvoiceId && i.Status == InvoiceStatuses.Void))
            .Select(l => l.InvoiceId);
        var open = await db.Checkouts.AsNoTracking()
            .Where(c => c.Status == Checkout.Open && c.SessionId != null && c.Invoices.Any(i => voided.Contains(i.InvoiceId)))
            .Select(c => new { c.Id, c.SessionId }).ToListAsync(ct);
        foreach (var checkout in open)
        {
            logger.LogInformation("Closing the payment page of checkout {CheckoutId}: its booking ended unpaid", checkout.Id);
            await provider.ExpireCheckoutAsync(checkout.SessionId!, ct);
        }
    }
}
