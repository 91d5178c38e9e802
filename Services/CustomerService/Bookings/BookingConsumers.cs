using System.Diagnostics;
using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.CustomerService.Bookings;

/// <summary>
/// The saga's questions from a cell: may these customers book? Then, before the answer goes, the accepted
/// bookings enter the customers' lists at revision 1, so a booking is listed from the moment it holds its slot
/// (also when its decision is delayed), and the caps on upcoming bookings count it at once. A repeated
/// question gets the same answer. One transaction per batch: the customers' rows are locked first, so two
/// batches for one customer (two cells, two clinics) are counted one after the other and a cap holds under
/// any concurrency.
/// </summary>
public sealed class VerifyCustomersConsumer(CustomerDbContext db, IOptions<BookingCapsOptions> caps) : IConsumer<VerifyCustomers>
{
    public static readonly ActivitySource ActivitySource = new("ClinicBooking.CustomerService.Bookings");

    public Task Consume(ConsumeContext<VerifyCustomers> context) =>
        BatchTracing.HandleItemsAsync(ActivitySource, "verify customer", context.Message.Requests, async spans =>
        {
            var requests = context.Message.Requests;
            // The Npgsql execution strategy retries a transient failure by running the whole transaction again.
            var verdicts = await db.Database.CreateExecutionStrategy().ExecuteAsync(async ct =>
            {
                await using var transaction = await db.Database.BeginTransactionAsync(ct);
                var (active, known, upcoming) = await ReadAsync(db, [.. requests.Select(r => r.Message)], ct);

                var verdicts = requests.Select((request, i) =>
                {
                    var (bookingId, customerId) = (request.Message.BookingId, request.Message.CustomerId);
                    var reason = Verdict(request.Message, active, known, upcoming);
                    spans[i]?.SetTag("booking.id", bookingId);
                    spans[i]?.SetTag("customer.verdict", reason ?? "verified");
                    return new Traced<CustomerVerdict>(request.MessageId, new CustomerVerdict(bookingId, customerId, reason),
                        BatchTracing.TraceParentOf(spans, requests, i));
                }).ToList();
                var accepted = requests.Zip(verdicts).Where(p => p.Second.Message.RejectionReason is null).Select(p => p.First.Message).ToList();
                // Rejected bookings enter the lists from the cell's status event; accepted ones now, so they count.
                await CustomerBookings.ApplyAsync(db, accepted.Select(Pending), ct);
                // A customer who booked at a clinic themselves is its patient from now on (its staff see who is coming).
                await ClinicPatients.AddAsync(db, [.. accepted.Where(r => r.BookedBy == Bookers.Customer).Select(r => (r.ClinicId, r.CustomerId)).Distinct()],
                    ClinicPatient.ViaBooking, ct);
                await transaction.CommitAsync(ct);
                return verdicts;
            }, context.CancellationToken);
            await context.RespondAsync(new CustomerVerdicts(verdicts));
        });

    /// <summary>
    /// What the verdicts are made of, for the batch's customers: whether each is active (their rows locked for
    /// the transaction), which are the clinics' patients, and their upcoming bookings (not these).
    /// </summary>
    private static async Task<(Dictionary<long, bool> Active, HashSet<(long, long)> Known, Upcoming Upcoming)> ReadAsync(
        CustomerDbContext db, IReadOnlyList<VerifyCustomer> requests, CancellationToken ct)
    {
        var customerIds = requests.Select(r => r.CustomerId).Distinct().Order().ToArray();
        var active = (await db.Database.SqlQuery<CustomerState>($"""
                SELECT id AS "Id", is_active AS "IsActive" FROM customers WHERE id = ANY({customerIds}) ORDER BY id FOR NO KEY UPDATE
                """).ToListAsync(ct))
            .ToDictionary(c => c.Id, c => c.IsActive);
        // A clinic's staff book only for people the clinic knows (ClinicPatient); an id alone is not enough.
        var deskCustomers = requests.Where(r => r.BookedByStaff).Select(r => r.CustomerId).Distinct().ToList();
        var known = deskCustomers.Count == 0 ? [] : (await db.ClinicPatients.AsNoTracking()
                .Where(p => deskCustomers.Contains(p.CustomerId))
                .Select(p => new { p.ClinicId, p.CustomerId })
                .ToListAsync(ct))
            .Select(p => (p.ClinicId, p.CustomerId)).ToHashSet();
        var upcoming = await UpcomingAsync(db, customerIds, [.. requests.Select(r => r.BookingId)], ct);
        return (active, known, upcoming);
    }

    /// <summary>
    /// Runs the verdict's queries once, for no one, in a transaction that is rolled back: at start, so that the
    /// first booking after a start does not wait for EF to compile them (on 2 cores that alone pushed a first
    /// booking past the request's 3 s wait).
    /// </summary>
    public static async Task WarmUpAsync(CustomerDbContext db, CancellationToken ct)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var nobody = new VerifyCustomer(0, -1, 0, 0, 0, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow,
            "UTC", Bookers.Staff);
        await ReadAsync(db, [nobody], ct);
        await transaction.RollbackAsync(ct);
    }

    private sealed record CustomerState(long Id, bool IsActive);

    /// <summary>Each customer's upcoming active bookings (not these), in all and per clinic; grows as this batch accepts.</summary>
    private sealed class Upcoming
    {
        public Dictionary<long, int> InAll { get; } = [];
        public Dictionary<(long Customer, long Clinic), int> AtClinic { get; } = [];
    }

    private static async Task<Upcoming> UpcomingAsync(CustomerDbContext db, long[] customerIds, long[] bookingIds, CancellationToken ct)
    {
        var rows = await db.CustomerBookings.AsNoTracking()
            .Where(b => customerIds.Contains(b.CustomerId) && !bookingIds.Contains(b.BookingId)
                && (b.Status == BookingStatus.Pending || b.Status == BookingStatus.AwaitingPayment || b.Status == BookingStatus.Confirmed) && b.StartsAt > DateTimeOffset.UtcNow)
            .GroupBy(b => new { b.CustomerId, b.ClinicId })
            .Select(g => new { g.Key.CustomerId, g.Key.ClinicId, Count = g.Count() })
            .ToListAsync(ct);
        var upcoming = new Upcoming();
        foreach (var row in rows)
        {
            upcoming.InAll[row.CustomerId] = upcoming.InAll.GetValueOrDefault(row.CustomerId) + row.Count;
            upcoming.AtClinic[(row.CustomerId, row.ClinicId)] = row.Count;
        }
        return upcoming;
    }

    /// <summary>
    /// Why the customer may not book, or null. A desk booking (by the clinic's staff) needs the customer to be
    /// the clinic's patient first, and its refusal is the same whether the id exists or not. Bookings by
    /// customers and staff count against the caps; an administrator's do not.
    /// </summary>
    private string? Verdict(VerifyCustomer request, Dictionary<long, bool> active, HashSet<(long, long)> known, Upcoming upcoming)
    {
        if (request.BookedByStaff && !known.Contains((request.ClinicId, request.CustomerId)))
        {
            return CustomerVerdict.NotVerified;
        }
        if (!active.TryGetValue(request.CustomerId, out var isActive))
        {
            return CustomerVerdict.UnknownCustomer;
        }
        if (!isActive)
        {
            return CustomerVerdict.InactiveCustomer;
        }
        var atClinic = (request.CustomerId, request.ClinicId);
        if (request.BookedBy != Bookers.Administrator && request.StartsAt > DateTimeOffset.UtcNow
            && (upcoming.InAll.GetValueOrDefault(request.CustomerId) >= caps.Value.PerCustomer
                || upcoming.AtClinic.GetValueOrDefault(atClinic) >= (request.ClinicCap ?? caps.Value.PerClinic)))
        {
            return CustomerVerdict.TooManyBookings;
        }
        upcoming.InAll[request.CustomerId] = upcoming.InAll.GetValueOrDefault(request.CustomerId) + 1;
        upcoming.AtClinic[atClinic] = upcoming.AtClinic.GetValueOrDefault(atClinic) + 1;
        return null;
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

/// <summary>
/// How many upcoming (pending or confirmed, not yet started) bookings one customer may hold: in all, and at one
/// clinic unless the clinic sets its own (<c>maxActiveBookingsPerCustomer</c>). Bookings made by
/// administrators are not counted against them, nor held back by them.
/// </summary>
public sealed class BookingCapsOptions
{
    public const string Section = "BookingCaps";

    [System.ComponentModel.DataAnnotations.Range(1, 1000)]
    public int PerCustomer { get; set; } = 10;

    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int PerClinic { get; set; } = 5;
}
