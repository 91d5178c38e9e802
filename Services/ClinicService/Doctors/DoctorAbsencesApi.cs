using System.Security.Claims;
using ClinicBooking.ClinicService.Bookings;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Messages;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Doctors;

/// <summary>
/// A doctor's sudden absence: the clinic's staff mark the days, the doctor's free slots on them go, the booked
/// ones are cancelled (<see cref="CancelReasons.DoctorAbsent"/>; NotificationService tells each patient once,
/// with a way to rebook), and generation makes no slots on them afterwards.
/// </summary>
public static class DoctorAbsencesApi
{
    public static IEndpointRouteBuilder MapDoctorAbsencesApi(this IEndpointRouteBuilder app)
    {
        var absences = app.MapGroup("/doctors/{id:long}/absences").WithTags("Doctors")
            .ForShardOf("id", scoped: true, Missing.Doctor).ClinicStaff("id", scoped: true)
            .ProducesProblem(StatusCodes.Status404NotFound);
        absences.MapGet("/", ListAbsences).WithName("ListDoctorAbsences");
        absences.MapPost("/", MarkAbsence).WithName("MarkDoctorAbsence");
        return app;
    }

    /// <summary>The doctor's absences that have not ended yet, soonest first.</summary>
    public static async Task<Ok<List<DoctorAbsenceResponse>>> ListAbsences(long id, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        var timeZone = await services.Db.DoctorTimeZoneAsync(id, ct) ?? throw Missing.Doctor(id);
        var today = SlotTimes.Today(timeZone, services.Clock);
        var absences = await services.Db.DoctorAbsences.AsNoTracking()
            .Where(a => a.ClinicId == clinicId && a.DoctorId == id && a.ToDate >= today)
            .OrderBy(a => a.FromDate).ThenBy(a => a.Id).ToListAsync(ct);
        return TypedResults.Ok(absences.Select(ToResponse).ToList());
    }

    /// <summary>
    /// Marks the days, removes the doctor's free slots on them and cancels the bookings of the rest, in that
    /// order: the absence and the removal are one transaction (a booking that races it finds its slot gone), and
    /// the bookings it leaves are then cancelled as the clinic's own cancels are, each with its message.
    /// </summary>
    public static async Task<Created<DoctorAbsenceOutcome>> MarkAbsence(
        long id, DoctorAbsenceRequest request, [AsParameters] ShardServices services, BookingSaga saga, ClinicCache cache,
        ClaimsPrincipal user, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        var db = services.Db;
        var timeZone = await db.DoctorTimeZoneAsync(id, ct) ?? throw Missing.Doctor(id);
        var (from, to) = (request.From!.Value, request.To!.Value);
        var today = SlotTimes.Today(timeZone, services.Clock);
        if (to < today)
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["to"] = [$"The absence is over: {to:yyyy-MM-dd} is before today ({today:yyyy-MM-dd}) at the clinic."] });
        }
        var caller = Caller.From(user);
        var absence = new DoctorAbsence
        {
            ClinicId = clinicId, DoctorId = id, FromDate = from, ToDate = to, Note = request.Note?.Trim() is { Length: > 0 } note ? note : null,
            CreatedBy = caller.AuditName, CreatedAt = services.Clock.UtcNowMicroseconds(),
        };
        List<long> booked;
        int removed;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            db.DoctorAbsences.Add(absence);
            await db.SaveChangesAsync(ct);
            removed = await FutureSlots(db, clinicId, id, from, to).Where(s => s.CustomerId == null).ExecuteDeleteAsync(ct);
            booked = await BookedAsync(db, clinicId, id, from, to, ct);
            await tx.CommitAsync(ct);
        }
        // A cancel frees its slot; on these days it goes too. A booking that took a slot freed in between (a moment)
        // is cancelled the same way on the next round.
        var cancelled = 0;
        for (var round = 0; round < 3 && booked.Count > 0; round++)
        {
            cancelled += await saga.CancelManyAsync(booked, caller.AuditName, CancelReasons.DoctorAbsent, ct);
            removed += await FutureSlots(db, clinicId, id, from, to).Where(s => s.CustomerId == null).ExecuteDeleteAsync(ct);
            booked = await BookedAsync(db, clinicId, id, from, to, ct);
        }
        await cache.InvalidateClinicAsync(clinicId, ct);
        return TypedResults.Created($"/doctors/{id}/absences", new DoctorAbsenceOutcome(ToResponse(absence), removed, cancelled));
    }

    /// <summary>The doctor's slots on those days that have not ended ("ended" by the database's clock): the past is history.</summary>
    private static IQueryable<BookingSlot> FutureSlots(ClinicDbContext db, long clinicId, long doctorId, DateOnly from, DateOnly to) =>
        db.BookingSlots.Where(s => s.ClinicId == clinicId && s.DoctorId == doctorId && s.Date >= from && s.Date <= to
            && s.EndsAt > DateTimeOffset.UtcNow);

    /// <summary>The active (pending or confirmed) bookings of those slots.</summary>
    private static Task<List<long>> BookedAsync(ClinicDbContext db, long clinicId, long doctorId, DateOnly first, DateOnly last, CancellationToken ct) =>
        (from b in db.Bookings.Where(Booking.Active)
         join s in FutureSlots(db, clinicId, doctorId, first, last) on new { b.ClinicId, Id = (long?)b.BookingSlotId } equals new { s.ClinicId, Id = (long?)s.Id }
         select b.Id).ToListAsync(ct);

    private static DoctorAbsenceResponse ToResponse(DoctorAbsence a) =>
        new(a.Id, a.DoctorId, a.FromDate, a.ToDate, a.Note, a.CreatedBy, a.CreatedAt);
}

/// <summary>The days a doctor will not work (clinic-local, both included) and a note for the clinic's staff.</summary>
public sealed record DoctorAbsenceRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] DateOnly? From,
    [property: SetBy(Roles.Staff, Roles.Administrator)] DateOnly? To,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? Note = null);

public sealed class DoctorAbsenceRequestValidator : RequestValidator<DoctorAbsenceRequest>
{
    public DoctorAbsenceRequestValidator()
    {
        RuleFor(r => r.From).NotNull().WithMessage("from is required: the first day the doctor is away (yyyy-MM-dd).");
        RuleFor(r => r.To).NotNull().WithMessage("to is required: the last day the doctor is away (yyyy-MM-dd), the same as from for one day.");
        RuleFor(r => r.To).Must((r, to) => to >= r.From).When(r => r.From is not null && r.To is not null)
            .WithMessage("to must be on or after from.");
        RuleFor(r => r.To).Must((r, to) => to!.Value.DayNumber - r.From!.Value.DayNumber < DoctorAbsence.MaxDays)
            .When(r => r.From is not null && r.To is not null && r.To >= r.From)
            .WithMessage($"An absence covers at most {DoctorAbsence.MaxDays} days; mark a longer one in parts, or deactivate the doctor.");
        RuleFor(r => r.Note).MaximumLength(DoctorAbsence.NoteMaxLength);
    }
}
