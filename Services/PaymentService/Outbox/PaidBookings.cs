using ClinicBooking.Contracts.Payments;
using ClinicBooking.Messages;
using ClinicBooking.PaymentService.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Outbox;

/// <summary>The bookings paid when booked whose invoices a payment has just settled: their cells are told, in the payment's transaction.</summary>
public static class PaidBookings
{
    public static async Task QueueAsync(PaymentDbContext db, IReadOnlyCollection<long> invoiceIds, long paymentId, DateTimeOffset paidAt, CancellationToken ct)
    {
        var awaiting = BookingStatus.AwaitingPayment.ToName();
        var paid = await (
            from line in db.InvoiceLines
            join invoice in db.Invoices on line.InvoiceId equals invoice.Id
            join booking in db.BookedAppointments on line.BookingId equals booking.BookingId
            where invoiceIds.Contains(line.InvoiceId) && line.Kind == InvoiceLineKinds.Appointment
                && invoice.Status == InvoiceStatuses.Paid && booking.Status == awaiting
            select new { booking.BookingId, booking.ClinicId }).ToListAsync(ct);
        foreach (var booking in paid)
        {
            db.OutboxMessages.Add(new PaymentOutboxMessage { BookingId = booking.BookingId, ClinicId = booking.ClinicId, PaymentId = paymentId, PaidAt = paidAt });
        }
    }
}
