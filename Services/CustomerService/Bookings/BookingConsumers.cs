using System.Diagnostics;
using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Bookings;

/// <summary>
/// The saga's questions from a cell: may these customers book? One read for the whole batch, and one answer
/// to the cell that asked; a repeated question gets the same answer. Then, off the booking's critical path
/// (the answer is on its way), the pending bookings enter the customers' lists at revision 1, so a booking
/// is listed from the moment it holds its slot, also when its decision is delayed.
/// </summary>
public sealed class VerifyCustomersConsumer(CustomerDbContext db) : IConsumer<VerifyCustomers>
{
    public static readonly ActivitySource ActivitySource = new("ClinicBooking.CustomerService.Bookings");

    public Task Consume(ConsumeContext<VerifyCustomers> context) =>
        BatchTracing.HandleItemsAsync(ActivitySource, "verify customer", context.Message.Requests, async spans =>
        {
            var requests = context.Message.Requests;
            var customerIds = requests.Select(r => r.Message.CustomerId).Distinct().ToList();
            var active = await db.Customers.AsNoTracking()
                .Where(c => customerIds.Contains(c.Id))
                .Select(c => new { c.Id, c.IsActive })
                .ToDictionaryAsync(c => c.Id, c => c.IsActive, context.CancellationToken);
            var verdicts = requests.Select((request, i) =>
            {
                var (bookingId, customerId) = (request.Message.BookingId, request.Message.CustomerId);
                var reason = !active.TryGetValue(customerId, out var isActive) ? CustomerVerdict.UnknownCustomer
                    : !isActive ? CustomerVerdict.InactiveCustomer
                    : null;
                spans[i]?.SetTag("booking.id", bookingId);
                spans[i]?.SetTag("customer.verdict", reason ?? "verified");
                return new Traced<CustomerVerdict>(request.MessageId, new CustomerVerdict(bookingId, customerId, reason),
                    BatchTracing.TraceParentOf(spans, requests, i));
            }).ToList();
            await context.RespondAsync(new CustomerVerdicts(verdicts));
            await CustomerBookings.ApplyAsync(db, requests.Select(r => Pending(r.Message)), context.CancellationToken);
        });

    private static BookingStatusChanged Pending(VerifyCustomer q) =>
        new(q.BookingId, q.CustomerId, q.ClinicId, q.BookingSlotId, q.DoctorId, q.StartsAt, q.EndsAt,
            BookingStatus.Pending, Revision: 1, q.RequestedAt, Reason: null, q.TimeZone);
}

/// <summary>
/// Keeps the read model of a customer's bookings from the cells' status events, a batch per statement.
/// </summary>
public sealed class BookingStatusChangesConsumer(CustomerDbContext db) : IConsumer<BookingStatusChanges>
{
    public Task Consume(ConsumeContext<BookingStatusChanges> context) =>
        CustomerBookings.ApplyAsync(db, context.Message.Changes.Select(c => c.Message), context.CancellationToken);
}

public static class CustomerBookings
{
    /// <summary>
    /// Upserts each booking's status if it is newer than what is stored, so messages that arrive twice or out
    /// of order leave the newest status. Bookings of customers that do not exist are not recorded.
    /// </summary>
    public static Task ApplyAsync(CustomerDbContext db, IEnumerable<BookingStatusChanged> changes, CancellationToken ct)
    {
        // One row per booking: a statement may not upsert the same row twice, and only the newest counts.
        // In booking order, so two batches upserting the same bookings lock them in the same order.
        var newest = changes.GroupBy(c => c.BookingId).Select(g => g.MaxBy(c => c.Revision)!).OrderBy(c => c.BookingId).ToList();
        if (newest.Count == 0)
        {
            return Task.CompletedTask;
        }
        var bookingIds = newest.Select(c => c.BookingId).ToArray();
        var customerIds = newest.Select(c => c.CustomerId).ToArray();
        var clinicIds = newest.Select(c => c.ClinicId).ToArray();
        var slotIds = newest.Select(c => c.BookingSlotId).ToArray();
        var doctorIds = newest.Select(c => c.DoctorId).ToArray();
        var startsAt = newest.Select(c => c.StartsAt.ToUniversalTime()).ToArray();
        var endsAt = newest.Select(c => c.EndsAt.ToUniversalTime()).ToArray();
        var timeZones = newest.Select(c => c.TimeZone).ToArray();
        var statuses = newest.Select(c => c.Status.ToName()).ToArray();
        var revisions = newest.Select(c => c.Revision).ToArray();
        var changedAt = newest.Select(c => c.ChangedAt.ToUniversalTime()).ToArray();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO customer_bookings (booking_id, customer_id, clinic_id, booking_slot_id, doctor_id,
                                           starts_at, ends_at, time_zone, status, revision, updated_at)
            SELECT c.*
              FROM unnest({bookingIds}, {customerIds}, {clinicIds}, {slotIds}, {doctorIds},
                          {startsAt}, {endsAt}, {timeZones}, {statuses}, {revisions}, {changedAt})
                   AS c (booking_id, customer_id, clinic_id, booking_slot_id, doctor_id,
                         starts_at, ends_at, time_zone, status, revision, updated_at)
             WHERE EXISTS (SELECT 1 FROM customers WHERE id = c.customer_id)
            ON CONFLICT (booking_id) DO UPDATE
               SET status = excluded.status, revision = excluded.revision, updated_at = excluded.updated_at,
                   booking_slot_id = excluded.booking_slot_id
             WHERE customer_bookings.revision < excluded.revision
            """, ct);
    }
}
