using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using ClinicBooking.ClinicService.Saga;
using ClinicBooking.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>
/// Booking a slot: the HTTP side of the booking saga (<see cref="BookingSaga"/>). A request holds the slot
/// and waits a short while for CustomerService's verdict; a slower saga answers 202 with the booking to poll.
/// </summary>
public static class BookingsApi
{
    public static IEndpointRouteBuilder MapBookingsApi(this IEndpointRouteBuilder app)
    {
        var booking = app.MapGroup("/bookingSlots/{slotId:long}/booking").WithTags("Bookings");
        booking.MapPut("/", BookSlot);
        booking.MapGet("/", GetSlotBooking);
        booking.MapDelete("/", CancelSlotBooking);

        app.MapGet("/bookings/{id:long}", GetBooking).WithTags("Bookings");
        return app;
    }

    /// <summary>
    /// Books the slot for the customer. A repeat of an earlier request (same Idempotency-Key, or the same
    /// customer while their booking of this slot is active) gets that request's outcome, never a second booking.
    /// </summary>
    public static async Task<Results<Created<BookingResponse>, Accepted<BookingResponse>, ValidationProblem, ProblemHttpResult>> BookSlot(
        long slotId, BookSlotRequest request, [FromHeader(Name = BookingValidation.IdempotencyKeyHeader)] string? idempotencyKey,
        ShardDatabases shards, BookingSaga saga, BookingOutcomes outcomes, IOptions<BookingOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var errors = BookingValidation.Check(request, idempotencyKey);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var customerId = request.CustomerId!.Value;
        if (ClinicIds.ShardOf(slotId, scoped: true) is not { } shard || !shards.Owns(shard))
        {
            return BookingSlotsApi.BookingSlotNotFound(slotId);
        }

        // Optimistic: most requests find the slot free, and that takes one statement.
        Booking booking;
        string? timeZone = null;
        Task<Booking>? decided = null;
        await using var db = shards.CreateContext(shard);
        if (await saga.TryHoldAsync(slotId, customerId, idempotencyKey, ct) is { } hold)
        {
            (booking, timeZone, decided) = (hold.Booking, hold.TimeZone, hold.Decided);
        }
        // Not free. It may be this request's own earlier booking (a repeat, or a concurrent twin).
        else if (await FindEarlierAsync(db, slotId, customerId, idempotencyKey, ct) is { } earlier)
        {
            if (earlier.CustomerId != customerId)
            {
                return KeyReused(earlier);
            }
            booking = earlier;
            if (booking.Status == BookingStatus.Pending)
            {
                // Watch first, then look again, so a decision in between is not missed.
                decided = outcomes.Watch(booking.Id);
                booking = await ReadAsync(db, booking, ct);
            }
        }
        else
        {
            return await SlotNotFreeAsync(db, slotId, clock, ct);
        }

        if (booking.Status == BookingStatus.Pending)
        {
            booking = await outcomes.WaitAsync(booking.Id, decided!, options.Value.ResponseWait, ct)
                ?? await ReadAsync(db, booking, ct);
        }
        else if (decided is not null)
        {
            outcomes.Unwatch(booking.Id, decided);
        }
        timeZone ??= await TimeZoneAsync(db, booking.ClinicId, ct);
        var response = BookingResponse.From(booking, timeZone);
        return booking.Status switch
        {
            BookingStatus.Confirmed => TypedResults.Created($"/bookings/{booking.Id}", response),
            BookingStatus.Pending => TypedResults.Accepted($"/bookings/{booking.Id}", response),
            BookingStatus.Rejected => Problems.Unprocessable(RejectionMessage(booking), Extensions(booking)),
            BookingStatus.Expired => Problems.Conflict(
                $"Booking {booking.Id} expired before the customer could be verified; the slot was released.", Extensions(booking)),
            _ => Problems.Conflict($"Booking {booking.Id} made by this request has been cancelled.", Extensions(booking)),
        };
    }

    /// <summary>The slot's current booking: the active one, or else the latest.</summary>
    public static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> GetSlotBooking(
        long slotId, ShardDatabases shards, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(slotId);
        var clinicId = ClinicIds.ClinicOf(slotId);
        var booking = db is null ? null : await db.Bookings.AsNoTracking()
            .Where(b => b.ClinicId == clinicId && b.BookingSlotId == slotId)
            .OrderByDescending(b => b.Status == BookingStatus.Pending || b.Status == BookingStatus.Confirmed)
            .ThenByDescending(b => b.CreatedAt)
            .FirstOrDefaultAsync(ct);
        if (db is null || booking is null)
        {
            return Problems.NotFound($"Booking slot {slotId} has no booking.");
        }
        return TypedResults.Ok(BookingResponse.From(booking, await TimeZoneAsync(db, clinicId, ct)));
    }

    public static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> GetBooking(
        long id, ShardDatabases shards, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var clinicId = ClinicIds.ClinicOf(id);
        var booking = db is null ? null : await db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.ClinicId == clinicId && b.Id == id, ct);
        if (db is null || booking is null)
        {
            return Problems.NotFound($"Booking {id} does not exist.");
        }
        return TypedResults.Ok(BookingResponse.From(booking, await TimeZoneAsync(db, clinicId, ct)));
    }

    /// <summary>Cancels the slot's active booking (pending or confirmed) and frees the slot.</summary>
    public static async Task<Results<Ok<BookingResponse>, ProblemHttpResult>> CancelSlotBooking(
        long slotId, ShardDatabases shards, BookingSaga saga, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(slotId);
        if (db is null)
        {
            return BookingSlotsApi.BookingSlotNotFound(slotId);
        }
        if (await saga.CancelAsync(slotId, ct) is { } cancelled)
        {
            return TypedResults.Ok(BookingResponse.From(cancelled, await TimeZoneAsync(db, cancelled.ClinicId, ct)));
        }
        var clinicId = ClinicIds.ClinicOf(slotId);
        var active = await db.Bookings.AsNoTracking()
            .FirstOrDefaultAsync(b => b.ClinicId == clinicId && b.BookingSlotId == slotId
                && (b.Status == BookingStatus.Pending || b.Status == BookingStatus.Confirmed), ct);
        return active is not null && active.StartsAt <= clock.GetUtcNow()
            ? Problems.Conflict($"The appointment of booking {active.Id} has already started; it can no longer be cancelled.")
            : Problems.NotFound($"Booking slot {slotId} has no active booking to cancel.");
    }

    /// <summary>
    /// The booking an earlier request made: the one with this Idempotency-Key, or else this customer's
    /// active booking of the slot.
    /// </summary>
    private static async Task<Booking?> FindEarlierAsync(
        ClinicDbContext db, long slotId, long customerId, string? idempotencyKey, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var ofSlot = db.Bookings.AsNoTracking().Where(b => b.ClinicId == clinicId && b.BookingSlotId == slotId);
        if (idempotencyKey is not null && await ofSlot.FirstOrDefaultAsync(b => b.IdempotencyKey == idempotencyKey, ct) is { } keyed)
        {
            return keyed;
        }
        return await ofSlot.FirstOrDefaultAsync(b => b.CustomerId == customerId
            && (b.Status == BookingStatus.Pending || b.Status == BookingStatus.Confirmed), ct);
    }

    /// <summary>Says why a slot could not be held: gone, started, held by a pending booking, or booked.</summary>
    private static async Task<ProblemHttpResult> SlotNotFreeAsync(ClinicDbContext db, long slotId, TimeProvider clock, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var slot = await db.DoctorBookingSlots.AsNoTracking()
            .Where(s => s.ClinicId == clinicId && s.Id == slotId)
            .Select(s => new { s.StartsAt, s.CustomerId })
            .FirstOrDefaultAsync(ct);
        if (slot is null)
        {
            return Problems.Conflict($"Booking slot {slotId} does not exist or has been removed.");
        }
        if (slot.StartsAt <= clock.GetUtcNow())
        {
            return Problems.Conflict($"Booking slot {slotId} has already started; only future slots can be booked.");
        }
        var pending = await db.Bookings.AnyAsync(b => b.ClinicId == clinicId && b.BookingSlotId == slotId && b.Status == BookingStatus.Pending, ct);
        return pending
            ? Problems.Conflict($"Booking slot {slotId} is held by another booking that is being confirmed.")
            : Problems.Conflict($"Booking slot {slotId} is already booked.");
    }

    private static ProblemHttpResult KeyReused(Booking earlier) => Problems.Unprocessable(
        $"This Idempotency-Key was already used to book slot {earlier.BookingSlotId} for another customer; use a new key for a new request.",
        Extensions(earlier));

    private static string RejectionMessage(Booking booking) => booking.Reason switch
    {
        CustomerVerdict.UnknownCustomer => $"Customer {booking.CustomerId} does not exist; the slot was released.",
        CustomerVerdict.InactiveCustomer => $"Customer {booking.CustomerId} is not active; the slot was released.",
        var other => $"Customer {booking.CustomerId} may not book ({other}); the slot was released.",
    };

    private static Dictionary<string, object?> Extensions(Booking booking) => new()
    {
        ["bookingId"] = booking.Id,
        ["bookingStatus"] = booking.Status.ToName(),
        ["reason"] = booking.Reason,
    };

    private static Task<Booking> ReadAsync(ClinicDbContext db, Booking booking, CancellationToken ct) =>
        db.Bookings.AsNoTracking().SingleAsync(b => b.ClinicId == booking.ClinicId && b.Id == booking.Id, ct);

    private static Task<string> TimeZoneAsync(ClinicDbContext db, long clinicId, CancellationToken ct) =>
        db.Clinics.Where(c => c.Id == clinicId).Select(c => c.TimeZone).SingleAsync(ct);
}
