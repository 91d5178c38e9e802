using System.Security.Claims;
using ClinicBooking.Contracts.Access;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>
/// Booking a slot: the HTTP side of the booking saga (<see cref="BookingSaga"/>). A request holds the slot
/// and waits a short while for CustomerService's verdict; a slower saga answers 202 with the booking to poll.
/// </summary>
public static class BookingsApi
{
    public static IEndpointRouteBuilder MapBookingsApi(this IEndpointRouteBuilder app)
    {
        var booking = app.MapGroup("/bookingSlots/{slotId:long}/booking").WithTags("Bookings")
            .ForShardOf("slotId", scoped: true, Missing.BookingSlot)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        // Signed-in callers; who may book for whom, and see which booking, is decided in the handlers.
        booking.MapPut("/", BookSlot).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        booking.MapGet("/", GetSlotBooking);

        // A cancel names the booking, never "whatever is on the slot now": a replayed cancel cannot reach
        // the next customer's booking of the same slot.
        var bookings = app.MapGroup("/bookings/{id:long}").WithTags("Bookings")
            .ForShardOf("id", scoped: true, Missing.Booking).ProducesProblem(StatusCodes.Status404NotFound);
        bookings.MapGet("/", GetBooking);
        bookings.MapDelete("/", CancelBooking).ProducesProblem(StatusCodes.Status409Conflict);
        // Who changed the booking, and how: administrators only (staff of another clinic get its 404).
        bookings.MapGet("/audit", GetBookingAudit).ClinicStaff("id", scoped: true).Administrators();
        return app;
    }

    /// <summary>
    /// Books the slot for the customer: 201 confirmed (or awaiting payment where the clinic takes payment at
    /// booking: pay its invoice before holdExpiresAt), 202 still pending (poll the Location), or the problem
    /// that says why not. A repeat of an earlier request gets that request's outcome, never a second booking.
    /// </summary>
    public static async Task<Results<Created<BookingResponse>, Accepted<BookingResponse>>> BookSlot(
        long slotId, BookSlotRequest request, [AsParameters] IdempotencyKey key, BookingSaga saga, ClaimsPrincipal user, CancellationToken ct)
    {
        var (customerId, bookedBy) = BookedCustomer(user, ClinicIds.ClinicOf(slotId), slotId, request.CustomerId);
        var outcome = await saga.BookAsync(slotId, customerId, bookedBy, request.Mode, key.Value, Caller.From(user).AuditName, ct);
        var booking = outcome.Booking;
        return booking.Status switch
        {
            // Awaiting payment is decided too: the slot is the customer's to pay for until holdExpiresAt.
            BookingStatus.Confirmed or BookingStatus.AwaitingPayment => TypedResults.Created($"/bookings/{booking.Id}", outcome.ToResponse()),
            BookingStatus.Pending => TypedResults.Accepted($"/bookings/{booking.Id}", outcome.ToResponse()),
            _ => throw BookingProblems.Ended(booking),
        };
    }

    /// <summary>
    /// Whom the slot is booked for, and whether the clinic's staff booked it: a customer books for themselves
    /// (customerId left out, or their own); administrators book for the customer they name; the clinic's staff
    /// for one of the clinic's patients (someone who booked there, or whom they looked up by email and phone
    /// with <c>POST /clinics/{id}/patients/lookup</c>), which CustomerService checks when it verifies the booking.
    /// </summary>
    private static (long CustomerId, string BookedBy) BookedCustomer(ClaimsPrincipal user, long clinicId, long slotId, long? requested)
    {
        var caller = Caller.From(user);
        if (caller.CustomerId is { } own)
        {
            return requested is null || requested == own
                ? (own, Bookers.Customer)
                : throw new ProblemException(StatusCodes.Status403Forbidden, "Forbidden",
                    $"You may book only for yourself: leave customerId out, or send your own ({own}).");
        }
        Access.RequireClinic(user, clinicId, $"Booking slot {slotId} does not exist.");
        var customerId = requested ?? throw ProblemException.Validation(new Dictionary<string, string[]>
        {
            ["customerId"] = ["customerId is required: the id of the customer the slot is booked for."],
        });
        return (customerId, caller.IsAdministrator ? Bookers.Administrator : Bookers.Staff);
    }

    /// <summary>The slot's active booking (pending, awaiting payment or confirmed); ended ones are history, at <c>/bookings/{id}</c>.</summary>
    public static async Task<Ok<BookingResponse>> GetSlotBooking(long slotId, ShardScope shard, ClaimsPrincipal user, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(slotId);
        var booking = await shard.Db.Bookings.AsNoTracking().Where(Booking.Active)
            .FirstOrDefaultAsync(b => b.ClinicId == clinicId && b.BookingSlotId == slotId, ct)
            ?? throw ProblemException.NotFound($"Booking slot {slotId} has no active booking.");
        Access.RequireBookingParty(user, clinicId, booking.CustomerId, $"Booking slot {slotId} has no active booking.");
        return TypedResults.Ok(booking.ToResponse(await shard.Db.ClinicTimeZoneAsync(clinicId, ct) ?? throw Missing.Clinic(clinicId)));
    }

    public static async Task<Ok<BookingResponse>> GetBooking(long id, ShardScope shard, ClaimsPrincipal user, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        var booking = await shard.Db.Bookings.AsNoTracking().FirstOrDefaultAsync(b => b.ClinicId == clinicId && b.Id == id, ct)
            ?? throw Missing.Booking(id);
        Access.RequireBookingParty(user, clinicId, booking.CustomerId, $"Booking {id} does not exist.");
        return TypedResults.Ok(booking.ToResponse(await shard.Db.ClinicTimeZoneAsync(clinicId, ct) ?? throw Missing.Clinic(clinicId)));
    }

    /// <summary>Every change of the booking, oldest first, with who made it.</summary>
    public static async Task<Ok<List<AuditEntryResponse>>> GetBookingAudit(long id, ShardScope shard, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        if (!await shard.Db.Bookings.AnyAsync(b => b.ClinicId == clinicId && b.Id == id, ct))
        {
            throw Missing.Booking(id);
        }
        return TypedResults.Ok(await shard.Db.BookingAudit.AsNoTracking()
            .Where(a => a.ClinicId == clinicId && a.BookingId == id)
            .OrderBy(a => a.Id)
            .Select(a => new AuditEntryResponse(a.At, a.Actor, a.Action, a.Detail, "booking", a.BookingId))
            .ToListAsync(ct));
    }

    /// <summary>
    /// Cancels the booking (pending or confirmed) and frees its slot; a repeat answers the cancelled booking
    /// as it stands and changes nothing.
    /// </summary>
    public static async Task<Ok<BookingResponse>> CancelBooking(long id, BookingSaga saga, ShardScope shard, ClaimsPrincipal user, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        // The clinic's staff may cancel any of its bookings; anyone else only their own, which takes a lookup.
        if (!Caller.From(user).MayManageClinic(clinicId))
        {
            var customerId = await shard.Db.Bookings.Where(b => b.ClinicId == clinicId && b.Id == id)
                .Select(b => (long?)b.CustomerId).FirstOrDefaultAsync(ct) ?? throw Missing.Booking(id);
            Access.RequireBookingParty(user, clinicId, customerId, $"Booking {id} does not exist.");
        }
        // The reason says who cancelled: the patient is told so (NotificationService), and so are the staff.
        var caller = Caller.From(user);
        var reason = caller.IsAdministrator ? CancelReasons.ByAdministrator
            : caller.MayManageClinic(clinicId) ? CancelReasons.ByClinic
            : CancelReasons.ByCustomer;
        return TypedResults.Ok((await saga.CancelAsync(id, caller.AuditName, reason, ct)).ToResponse());
    }
}
