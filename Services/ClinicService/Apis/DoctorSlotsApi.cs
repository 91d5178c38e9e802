using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>Doctor slot templates: which time slots a doctor works, on which weekdays.</summary>
public static class DoctorSlotsApi
{
    public static IEndpointRouteBuilder MapDoctorSlotsApi(this IEndpointRouteBuilder app)
    {
        var doctorSlots = app.MapGroup("/doctors/{doctorId:long}/slots").WithTags("Doctor slots");
        doctorSlots.MapGet("/", ListDoctorSlots);
        doctorSlots.MapPost("/", CreateDoctorSlot);

        var slots = app.MapGroup("/doctors/slots").WithTags("Doctor slots");
        slots.MapGet("/{id:long}", GetDoctorSlot);
        slots.MapPut("/{id:long}", ReplaceDoctorSlot);
        slots.MapDelete("/{id:long}", DeleteDoctorSlot);
        return app;
    }

    public static async Task<Results<Ok<List<DoctorSlotResponse>>, ProblemHttpResult>> ListDoctorSlots(
        long doctorId, ShardDatabases shards, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(doctorId);
        var clinicId = ClinicIds.ClinicOf(doctorId);
        if (db is null || !await db.Doctors.AnyAsync(d => d.ClinicId == clinicId && d.Id == doctorId, ct))
        {
            return DoctorsApi.DoctorNotFound(doctorId);
        }
        var templates = await db.DoctorSlotTemplates.AsNoTracking()
            .Where(t => t.ClinicId == clinicId && t.DoctorId == doctorId)
            .OrderBy(t => t.Weekday).ThenBy(t => t.TimeSlotId)
            .ToListAsync(ct);
        return TypedResults.Ok(templates.Select(DoctorSlotResponse.From).ToList());
    }

    public static async Task<Results<Ok<DoctorSlotResponse>, ProblemHttpResult>> GetDoctorSlot(long id, ShardDatabases shards, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var template = db is null ? null : await db.DoctorSlotTemplates.AsNoTracking()
            .FirstOrDefaultAsync(t => t.ClinicId == ClinicIds.ClinicOf(id) && t.Id == id, ct);
        return template is null ? DoctorSlotNotFound(id) : TypedResults.Ok(DoctorSlotResponse.From(template));
    }

    public static async Task<Results<Created<DoctorSlotResponse>, ValidationProblem, ProblemHttpResult>> CreateDoctorSlot(
        long doctorId, DoctorSlotRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(doctorId);
        var clinicId = ClinicIds.ClinicOf(doctorId);
        var doctor = db is null ? null : await db.Doctors.AsNoTracking().FirstOrDefaultAsync(d => d.ClinicId == clinicId && d.Id == doctorId, ct);
        if (db is null || doctor is null)
        {
            return DoctorsApi.DoctorNotFound(doctorId);
        }
        var errors = Validation.DoctorSlot(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (await CheckReferencesAsync(db, doctor, request.TimeSlotId!.Value, ct) is { } problem)
        {
            return problem;
        }

        var now = clock.UtcNowMicroseconds();
        var template = new DoctorSlotTemplate
        {
            ClinicId = clinicId,
            DoctorId = doctorId,
            TimeSlotId = request.TimeSlotId!.Value,
            Weekday = request.Weekday,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.DoctorSlotTemplates.Add(template);
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Created($"/doctors/slots/{template.Id}", DoctorSlotResponse.From(template));
    }

    public static async Task<Results<Ok<DoctorSlotResponse>, ValidationProblem, ProblemHttpResult>> ReplaceDoctorSlot(
        long id, DoctorSlotRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var clinicId = ClinicIds.ClinicOf(id);
        var template = db is null ? null : await db.DoctorSlotTemplates.FirstOrDefaultAsync(t => t.ClinicId == clinicId && t.Id == id, ct);
        if (db is null || template is null)
        {
            return DoctorSlotNotFound(id);
        }
        var doctor = await db.Doctors.AsNoTracking().SingleAsync(d => d.ClinicId == clinicId && d.Id == template.DoctorId, ct);
        var errors = Validation.DoctorSlot(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (await CheckReferencesAsync(db, doctor, request.TimeSlotId!.Value, ct) is { } problem)
        {
            return problem;
        }
        template.TimeSlotId = request.TimeSlotId!.Value;
        template.Weekday = request.Weekday;
        template.UpdatedAt = clock.UtcNowMicroseconds();
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Ok(DoctorSlotResponse.From(template));
    }

    /// <summary>Removes a template. Slots already generated from it stay; they are managed on their own.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteDoctorSlot(
        long id, ShardDatabases shards, Microsoft.Extensions.Caching.Hybrid.HybridCache cache, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var deleted = db is null ? 0 : await db.DoctorSlotTemplates
            .Where(t => t.ClinicId == ClinicIds.ClinicOf(id) && t.Id == id)
            .ExecuteDeleteAsync(ct);
        if (deleted == 0)
        {
            return DoctorSlotNotFound(id);
        }
        await cache.InvalidateClinicAsync(ClinicIds.ClinicOf(id), ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The doctor must be active, and the time slot an active one of the doctor's own clinic. The database
    /// checks the same (composite foreign keys to the active columns); this gives the clearer answer.
    /// </summary>
    private static async Task<ProblemHttpResult?> CheckReferencesAsync(
        ClinicDbContext db, Doctor doctor, long timeSlotId, CancellationToken ct)
    {
        if (!doctor.IsActive)
        {
            return Problems.Conflict($"Doctor {doctor.Id} is not active.");
        }
        var timeSlot = await db.TimeSlots.AsNoTracking()
            .FirstOrDefaultAsync(t => t.ClinicId == doctor.ClinicId && t.Id == timeSlotId, ct);
        if (timeSlot is null)
        {
            // Also what a time slot of another clinic looks like from here: it does not exist in this clinic.
            return Problems.NotFound($"Time slot {timeSlotId} does not exist in clinic {doctor.ClinicId}.");
        }
        return timeSlot.IsActive ? null : Problems.Conflict($"Time slot {timeSlotId} is not active.");
    }

    public static ProblemHttpResult DoctorSlotNotFound(long id) => Problems.NotFound($"Doctor slot {id} does not exist.");
}
