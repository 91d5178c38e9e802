using ClinicBooking.Contracts.Payments;
using ClinicBooking.PaymentService.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Payments;

/// <summary>
/// The one check of what a payment may pay, at the desk or by card: invoices the caller may pay (<c>visible</c>: their
/// own, or their clinic's), all of one clinic, one customer and one currency, each open and owing something. A missing
/// or foreign invoice is 404, a mix or a settled one 409.
/// </summary>
internal static class PayableInvoices
{
    public static async Task<Dictionary<long, Invoice>> LoadAsync(IQueryable<Invoice> visible, IReadOnlyCollection<long> ids, string whose, CancellationToken ct)
    {
        var invoices = await visible.AsNoTracking().Where(i => ids.Contains(i.Id)).ToDictionaryAsync(i => i.Id, ct);
        if (ids.FirstOrDefault(id => !invoices.ContainsKey(id)) is var missing and not 0)
        {
            throw ProblemException.NotFound($"Invoice {missing} does not exist, or is not {whose}.");
        }
        var first = invoices[ids.First()];
        if (invoices.Values.Any(i => i.ClinicId != first.ClinicId || i.CustomerId != first.CustomerId || i.Currency != first.Currency))
        {
            throw ProblemException.Conflict("One payment pays invoices of one clinic, one customer and one currency; pay the others separately.");
        }
        if (invoices.Values.FirstOrDefault(i => i.Status != InvoiceStatuses.Open || i.Total - i.Settled <= 0) is { } settled)
        {
            throw ProblemException.Conflict($"Invoice {settled.Id} is {settled.Status} and owes nothing.");
        }
        return invoices;
    }
}
