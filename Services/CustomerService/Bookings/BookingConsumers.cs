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
            // A clinic's staff book only for people the clinic knows (ClinicPatient); an id alone is not enough.
            var deskCustomers = requests.Where(r => r.Message.BookedByStaff).Select(r => r.Message.CustomerId).Distinct().ToList();
            var known = deskCustomers.Count == 0 ? [] : (await db.ClinicPatients.AsNoTracking()
                    .Where(p => deskCustomers.Contains(p.CustomerId))
                    .Select(p => new { p.ClinicId, p.CustomerId })
                    .ToListAsync(context.CancellationToken))
                .Select(p => (p.ClinicId, p.CustomerId)).ToHashSet();
            var verdicts = requests.Select((request, i) =>
            {
                var (bookingId, customerId) = (request.Message.BookingId, request.Message.CustomerId);
                var reason = Verdict(request.Message, active, known);
                spans[i]?.SetTag("booking.id", bookingId);
                spans[i]?.SetTag("customer.verdict", reason ?? "verified");
                return new Traced<CustomerVerdict>(request.MessageId, new CustomerVerdict(bookingId, customerId, reason),
                    BatchTracing.TraceParentOf(spans, requests, i));
            }).ToList();
            await context.RespondAsync(new CustomerVerdicts(verdicts));
            await CustomerBookings.ApplyAsync(db, requests.Select(r => Pending(r.Message)), context.CancellationToken);
            // A customer who booked at a clinic themselves is its patient from now on (its staff see who is coming).
            var patients = requests.Zip(verdicts).Where(p => p.Second.Message.RejectionReason is null && !p.First.Message.BookedByStaff)
                .Select(p => (p.First.Message.ClinicId, p.First.Message.CustomerId)).Distinct().ToList();
            await ClinicPatients.AddAsync(db, patients, ClinicPatient.ViaBooking, context.CancellationToken);
        });

    /// <summary>
    /// Why the customer may not book, or null. A desk booking (by the clinic's staff) needs the customer to be
    /// the clinic's patient first, and its refusal is the same whether the id exists or not.
    /// </summary>
    private static string? Verdict(VerifyCustomer request, Dictionary<long, bool> active, HashSet<(long, long)> known)
    {
        if (request.BookedByStaff && !known.Contains((request.ClinicId, request.CustomerId)))
        {
            return CustomerVerdict.NotVerified;
        }
        return !active.TryGetValue(request.CustomerId, out var isActive) ? CustomerVerdict.UnknownCustomer
            : !isActive ? CustomerVerdict.InactiveCustomer
            : null;
    }

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

public static class ClinicPatients
{
    /// <summary>Records that each clinic knows each customer (idempotent: the first way in is kept).</summary>
    public static Task AddAsync(CustomerDbContext db, IReadOnlyList<(long ClinicId, long CustomerId)> patients, string via, CancellationToken ct)
    {
        if (patients.Count == 0)
        {
            return Task.CompletedTask;
        }
        var clinicIds = patients.Select(p => p.ClinicId).ToArray();
        var customerIds = patients.Select(p => p.CustomerId).ToArray();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO clinic_patients (clinic_id, customer_id, via, since)
            SELECT p.clinic_id, p.customer_id, {via}, now()
              FROM unnest({clinicIds}, {customerIds}) AS p (clinic_id, customer_id)
             WHERE EXISTS (SELECT 1 FROM customers WHERE id = p.customer_id)
             ORDER BY 1, 2
            ON CONFLICT DO NOTHING
            """, ct);
    }
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
