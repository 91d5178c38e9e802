using ClinicBooking.Contracts.Payments;
using ClinicBooking.Messages;
using ClinicBooking.PaymentService.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Credit;

/// <summary>
/// The customer's credit at a clinic: added by a credit note when a paid appointment is cancelled under the clinic's
/// policy (and by money of a card payment that no invoice could take), and spent on their next invoice at that
/// clinic, as a payment by credit. Every movement is a <see cref="CreditEntry"/>; the database keeps the balance and
/// refuses it below zero, so credit is never spent twice.
/// </summary>
public static class CreditLedger
{
    public const string System = "system";

    /// <summary>
    /// What was paid on a cancelled booking's invoice becomes credit, once, when the cancellation came at least the clinic's
    /// notice before the appointment (by default, any time before it starts); later, the money stays the clinic's.
    /// </summary>
    public static async Task CreditCancellationAsync(PaymentDbContext db, BookingStatusChanged change, CancellationToken ct)
    {
        var invoice = await db.Invoices.AsNoTracking()
            .Where(i => db.InvoiceLines.Any(l => l.InvoiceId == i.Id && l.BookingId == change.BookingId && l.Kind == InvoiceLineKinds.Appointment))
            .SingleOrDefaultAsync(ct);
        // What was paid in money (at the desk, by card, from credit): a coupon's discount was never the customer's to get back.
        // Less what the clinic's staff credited on it already.
        var paid = invoice is null ? 0 : await CreditableAsync(db, invoice.Id, ct);
        if (invoice is null || paid <= 0)
        {
            return;
        }
        var notice = await db.PaymentPolicies.Where(p => p.ClinicId == change.ClinicId)
            .Select(p => (int?)p.CancellationNoticeHours).SingleOrDefaultAsync(ct) ?? 0;
        if (change.StartsAt - change.ChangedAt < TimeSpan.FromHours(notice))
        {
            return;
        }
        var reason = $"Booking {change.BookingId} cancelled {(change.StartsAt - change.ChangedAt).TotalHours:0} h before it started";
        var noteIds = await db.Database.SqlQuery<long>($"""
            INSERT INTO credit_notes (clinic_id, customer_id, currency, amount, invoice_id, reason, issued_by, created_at)
            VALUES ({invoice.ClinicId}, {invoice.CustomerId}, {invoice.Currency}, {paid}, {invoice.Id}, {reason}, {System}, now())
            ON CONFLICT (invoice_id) WHERE issued_by = 'system' DO NOTHING
            RETURNING id AS "Value"
            """).ToListAsync(ct);
        if (noteIds is [var noteId])
        {
            db.CreditEntries.Add(new CreditEntry
            {
                ClinicId = invoice.ClinicId, CustomerId = invoice.CustomerId, Currency = invoice.Currency, Amount = paid,
                Kind = CreditKinds.CreditNote, CreditNoteId = noteId, RecordedBy = System, CreatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync(ct);
        }
    }

    /// <summary>What of an invoice may still be given back as credit: the money paid on it, less its credit notes so far.</summary>
    public static async Task<decimal> CreditableAsync(PaymentDbContext db, long invoiceId, CancellationToken ct)
    {
        var paid = await db.PaymentAllocations
            .Where(a => a.InvoiceId == invoiceId && db.Payments.Any(p => p.Id == a.PaymentId && PaymentMethods.Money.Contains(p.Method)))
            .SumAsync(a => a.Amount, ct);
        return paid - await db.CreditNotes.Where(n => n.InvoiceId == invoiceId).SumAsync(n => n.Amount, ct);
    }

    /// <summary>A credit note the clinic's staff issue on an invoice (a goodwill gesture, a late cancellation they accept), and its credit.</summary>
    public static async Task<CreditNote> IssueAsync(PaymentDbContext db, Invoice invoice, decimal amount, string reason, string issuedBy, CancellationToken ct)
    {
        var note = new CreditNote
        {
            ClinicId = invoice.ClinicId, CustomerId = invoice.CustomerId, Currency = invoice.Currency, Amount = amount,
            InvoiceId = invoice.Id, Reason = reason, IssuedBy = issuedBy, CreatedAt = DateTimeOffset.UtcNow,
        };
        db.CreditNotes.Add(note);
        await db.SaveChangesAsync(ct);
        db.CreditEntries.Add(new CreditEntry
        {
            ClinicId = note.ClinicId, CustomerId = note.CustomerId, Currency = note.Currency, Amount = amount,
            Kind = CreditKinds.CreditNote, CreditNoteId = note.Id, RecordedBy = issuedBy, CreatedAt = note.CreatedAt,
        });
        await db.SaveChangesAsync(ct);
        return note;
    }

    /// <summary>
    /// Pays the open invoice from its customer's credit at its clinic, as far as the credit goes: one payment by credit,
    /// allocated to it, and the credit spent, in the caller's transaction. Null when there is no credit to spend.
    /// </summary>
    public static async Task<Payment?> ApplyAsync(PaymentDbContext db, long invoiceId, CancellationToken ct)
    {
        var invoice = await db.Invoices.AsNoTracking().SingleAsync(i => i.Id == invoiceId, ct);
        if (invoice.Status != InvoiceStatuses.Open)
        {
            return null;
        }
        // Locked, so that two invoices paid from one balance at once take it in turn.
        var balance = await db.Database.SqlQuery<decimal>($"""
            SELECT balance AS "Value" FROM credit_balances
             WHERE clinic_id = {invoice.ClinicId} AND customer_id = {invoice.CustomerId} AND currency = {invoice.Currency}
             FOR UPDATE
            """).ToListAsync(ct);
        var amount = Math.Min(balance.SingleOrDefault(), invoice.Total - invoice.Settled);
        if (amount <= 0)
        {
            return null;
        }
        var now = DateTimeOffset.UtcNow;
        var payment = new Payment
        {
            ClinicId = invoice.ClinicId, CustomerId = invoice.CustomerId, Currency = invoice.Currency, Amount = amount,
            Method = PaymentMethods.Credit, RecordedBy = System, CreatedAt = now,
            Allocations = [new PaymentAllocation { InvoiceId = invoice.Id, Amount = amount, CreatedAt = now }],
        };
        db.Payments.Add(payment);
        await db.SaveChangesAsync(ct);
        db.CreditEntries.Add(new CreditEntry
        {
            ClinicId = invoice.ClinicId, CustomerId = invoice.CustomerId, Currency = invoice.Currency, Amount = -amount,
            Kind = CreditKinds.Applied, PaymentId = payment.Id, RecordedBy = System, CreatedAt = now,
        });
        await db.SaveChangesAsync(ct);
        return payment;
    }
}
