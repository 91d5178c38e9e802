using ClinicBooking.Contracts.Payments;
using ClinicBooking.Messages;
using ClinicBooking.PaymentService.Checkouts;
using ClinicBooking.PaymentService.Credit;
using ClinicBooking.PaymentService.Data;
using ClinicBooking.PaymentService.Outbox;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Invoices;

/// <summary>
/// The cells' booking changes: a priced booking that is confirmed, or awaits payment (its clinic takes payment at
/// booking), gets its invoice (one per booking, its appointment line at the price it was booked at), and one that
/// ends (cancelled, expired, rejected) before anything was paid has its invoice voided, and any payment page still
/// open for it closed at the provider, so nothing can be charged for it. This service's view of each booking is kept
/// at its newest revision, so a message late or twice changes nothing, and a confirmation arriving after its
/// cancellation bills nothing.
/// </summary>
public sealed class BookingChangesConsumer(PaymentDbContext db, CheckoutCloser closer) : IConsumer<BookingStatusChanges>
{
    public const string System = "system";

    public async Task Consume(ConsumeContext<BookingStatusChanges> context)
    {
        await db.InTransactionAsync(async () =>
        {
            foreach (var change in context.Message.Changes.Select(c => c.Message))
            {
                await RecordAsync(db, change, context.CancellationToken);
            }
            return true;
        }, context.CancellationToken);
        // After the commit, outside it: the provider may be slow or down (then the message is retried, and this runs again).
        await closer.CloseVoidedAsync([.. context.Message.Changes.Select(c => c.Message.BookingId)], context.CancellationToken);
    }

    internal static async Task RecordAsync(PaymentDbContext db, BookingStatusChanged change, CancellationToken ct)
    {
        var newest = await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO booked_appointments (booking_id, clinic_id, customer_id, revision, status, starts_at, price_amount, price_currency, payment_due_by)
            VALUES ({change.BookingId}, {change.ClinicId}, {change.CustomerId}, {change.Revision}, {change.Status.ToName()},
                    {change.StartsAt.ToUniversalTime()}, {change.Price?.Amount}, {change.Price?.Currency}, {change.PaymentDueBy?.ToUniversalTime()})
            ON CONFLICT (booking_id) DO UPDATE SET revision = EXCLUDED.revision, status = EXCLUDED.status,
                   starts_at = EXCLUDED.starts_at, price_amount = EXCLUDED.price_amount, price_currency = EXCLUDED.price_currency,
                   payment_due_by = EXCLUDED.payment_due_by
            WHERE booked_appointments.revision < EXCLUDED.revision
            """, ct) == 1;
        if (!newest)
        {
            return;
        }
        if (change.Status is BookingStatus.Confirmed or BookingStatus.AwaitingPayment && change.Price is { Amount: > 0 } price)
        {
            await BillAsync(db, change, price, ct);
            // Credit the customer has at the clinic pays it first (and a booking awaiting payment it settles is confirmed).
            var invoiceId = await db.InvoiceLines.Where(l => l.BookingId == change.BookingId && l.Kind == InvoiceLineKinds.Appointment)
                .Select(l => l.InvoiceId).SingleAsync(ct);
            if (await CreditLedger.ApplyAsync(db, invoiceId, ct) is { } fromCredit)
            {
                await PaidBookings.QueueAsync(db, [invoiceId], fromCredit.Id, fromCredit.CreatedAt, ct);
                await db.SaveChangesAsync(ct);
            }
        }
        else if (change.Status is BookingStatus.Cancelled or BookingStatus.Expired or BookingStatus.Rejected)
        {
            // Nothing paid yet: the invoice is void. Once something was paid, it stays as it is (staff settle it).
            await db.Database.ExecuteSqlInterpolatedAsync($"""
                UPDATE invoices SET status = {InvoiceStatuses.Void}, voided_at = now()
                 WHERE id = (SELECT invoice_id FROM invoice_lines WHERE booking_id = {change.BookingId} AND kind = {InvoiceLineKinds.Appointment})
                   AND status = {InvoiceStatuses.Open} AND settled = 0
                """, ct);
            if (change.Status == BookingStatus.Cancelled)
            {
                await CreditLedger.CreditCancellationAsync(db, change, ct);
            }
        }
    }

    /// <summary>The booking's invoice with its appointment line, unless it has one already.</summary>
    private static Task BillAsync(PaymentDbContext db, BookingStatusChanged change, Price price, CancellationToken ct)
    {
        // In the clinic's time, as the patient booked it (the message carries the instant and the clinic's zone).
        var startsAt = TimeZoneInfo.TryFindSystemTimeZoneById(change.TimeZone, out var zone) ? TimeZoneInfo.ConvertTime(change.StartsAt, zone) : change.StartsAt;
        var description = $"Appointment on {startsAt:yyyy-MM-dd HH:mm} ({change.TimeZone}), booking {change.BookingId}";
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH billed AS (
                SELECT 1 FROM invoice_lines WHERE booking_id = {change.BookingId} AND kind = {InvoiceLineKinds.Appointment}),
            invoice AS (
                INSERT INTO invoices (clinic_id, customer_id, currency, created_at)
                SELECT {change.ClinicId}, {change.CustomerId}, {price.Currency}, now() WHERE NOT EXISTS (SELECT 1 FROM billed)
                RETURNING id)
            INSERT INTO invoice_lines (invoice_id, kind, booking_id, description, amount, added_by, created_at)
            SELECT id, {InvoiceLineKinds.Appointment}, {change.BookingId}, {description}, {price.Amount}, {System}, now() FROM invoice
            """, ct);
    }
}
