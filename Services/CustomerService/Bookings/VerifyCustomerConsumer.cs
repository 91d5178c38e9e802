using ClinicBooking.CustomerService.Infrastructure;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Bookings;

/// <summary>
/// The saga's question from a cell: may this customer book? Answers to the cell that asked. Idempotent: it
/// only reads the customer, and records the pending booking in the read model only if it is not there yet.
/// </summary>
public sealed class VerifyCustomerConsumer(CustomerDbContext db, TimeProvider clock) : IConsumer<VerifyCustomer>
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
            return;
        }
        if (!customer.IsActive)
        {
            await context.RespondAsync(new CustomerRejected(request.BookingId, request.CustomerId, CustomerRejected.InactiveCustomer));
            return;
        }
        // The answer first: the booking waits for it, while the read model's "pending" entry does not.
        // If the entry fails, the message is retried and answered again, which the cell ignores.
        await context.RespondAsync(new CustomerVerified(request.BookingId, request.CustomerId));
        await CustomerBookings.ApplyAsync(db, new BookingStatusChanged(
            request.BookingId, request.CustomerId, request.ClinicId, request.BookingSlotId, request.DoctorId,
            request.StartsAt, request.EndsAt, BookingStatus.Pending, Revision: 1, clock.GetUtcNow(), Reason: null),
            context.CancellationToken);
    }
}

/// <summary>Keeps the read model of a customer's bookings from the cells' status events.</summary>
public sealed class BookingStatusChangedConsumer(CustomerDbContext db) : IConsumer<BookingStatusChanged>
{
    public Task Consume(ConsumeContext<BookingStatusChanged> context) =>
        CustomerBookings.ApplyAsync(db, context.Message, context.CancellationToken);
}

public static class CustomerBookings
{
    /// <summary>
    /// Upserts a booking's status if it is newer than what is stored, so messages that arrive twice or out
    /// of order leave the newest status. Bookings of customers that do not exist are not recorded.
    /// </summary>
    public static Task ApplyAsync(CustomerDbContext db, BookingStatusChanged change, CancellationToken ct)
    {
        var status = change.Status.ToString().ToLowerInvariant();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO customer_bookings (booking_id, customer_id, clinic_id, booking_slot_id, doctor_id,
                                           starts_at, ends_at, status, revision, updated_at)
            SELECT {change.BookingId}, {change.CustomerId}, {change.ClinicId}, {change.BookingSlotId}::bigint, {change.DoctorId},
                   {change.StartsAt}, {change.EndsAt}, {status}, {change.Revision}, {change.ChangedAt}
             WHERE EXISTS (SELECT 1 FROM customers WHERE id = {change.CustomerId})
            ON CONFLICT (booking_id) DO UPDATE
               SET status = excluded.status, revision = excluded.revision, updated_at = excluded.updated_at,
                   booking_slot_id = excluded.booking_slot_id
             WHERE customer_bookings.revision < excluded.revision
            """, ct);
    }
}
