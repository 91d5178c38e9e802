using ClinicBooking.CustomerService.Infrastructure;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Bookings;

/// <summary>
/// The saga's question from a cell: may this customer book? Answers to the cell that asked. It only reads,
/// so a repeated question gets the same answer. The booking enters the read model with the cell's status
/// events, not here: the question is on the booking's critical path and writes nothing.
/// </summary>
public sealed class VerifyCustomerConsumer(CustomerDbContext db) : IConsumer<VerifyCustomer>
{
    public async Task Consume(ConsumeContext<VerifyCustomer> context)
    {
        var request = context.Message;
        var customer = await db.Customers.AsNoTracking()
            .Where(c => c.Id == request.CustomerId)
            .Select(c => new { c.IsActive })
            .FirstOrDefaultAsync(context.CancellationToken);
        if (customer is null)
        {
            await context.RespondAsync(new CustomerRejected(request.BookingId, request.CustomerId, CustomerRejected.UnknownCustomer));
        }
        else if (!customer.IsActive)
        {
            await context.RespondAsync(new CustomerRejected(request.BookingId, request.CustomerId, CustomerRejected.InactiveCustomer));
        }
        else
        {
            await context.RespondAsync(new CustomerVerified(request.BookingId, request.CustomerId));
        }
    }
}

/// <summary>
/// Keeps the read model of a customer's bookings from the cells' status events, many per statement: the
/// events of a busy minute arrive by the thousand, and one commit each would cost more than the booking.
/// </summary>
public sealed class BookingStatusChangedConsumer(CustomerDbContext db) : IConsumer<Batch<BookingStatusChanged>>
{
    public Task Consume(ConsumeContext<Batch<BookingStatusChanged>> context) =>
        CustomerBookings.ApplyAsync(db, context.Message.Select(m => m.Message), context.CancellationToken);
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
        var newest = changes.GroupBy(c => c.BookingId).Select(g => g.MaxBy(c => c.Revision)!).ToList();
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
        var statuses = newest.Select(c => c.Status.ToName()).ToArray();
        var revisions = newest.Select(c => c.Revision).ToArray();
        var changedAt = newest.Select(c => c.ChangedAt.ToUniversalTime()).ToArray();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO customer_bookings (booking_id, customer_id, clinic_id, booking_slot_id, doctor_id,
                                           starts_at, ends_at, status, revision, updated_at)
            SELECT c.*
              FROM unnest({bookingIds}, {customerIds}, {clinicIds}, {slotIds}, {doctorIds},
                          {startsAt}, {endsAt}, {statuses}, {revisions}, {changedAt})
                   AS c (booking_id, customer_id, clinic_id, booking_slot_id, doctor_id,
                         starts_at, ends_at, status, revision, updated_at)
             WHERE EXISTS (SELECT 1 FROM customers WHERE id = c.customer_id)
            ON CONFLICT (booking_id) DO UPDATE
               SET status = excluded.status, revision = excluded.revision, updated_at = excluded.updated_at,
                   booking_slot_id = excluded.booking_slot_id
             WHERE customer_bookings.revision < excluded.revision
            """, ct);
    }
}
