using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Apis;

public static class TimeSlotsApi
{
    public static IEndpointRouteBuilder MapTimeSlotsApi(this IEndpointRouteBuilder app)
    {
        var clinicSlots = app.MapGroup("/clinics/{clinicId:long}/timeslots").WithTags("Time slots");
        clinicSlots.MapGet("/", ListTimeSlots);
        clinicSlots.MapPost("/", CreateTimeSlot);

        var slots = app.MapGroup("/timeslots").WithTags("Time slots");
        slots.MapGet("/{id:long}", GetTimeSlot);
        slots.MapPut("/{id:long}", ReplaceTimeSlot);
        slots.MapDelete("/{id:long}", DeactivateTimeSlot);
        return app;
    }

    public static async Task<Results<Ok<List<TimeSlotResponse>>, ProblemHttpResult>> ListTimeSlots(
        long clinicId, ShardDatabases shards, CancellationToken ct, bool includeInactive = false)
    {
        await using var db = shards.ForClinic(clinicId);
        if (db is null || !await db.Clinics.AnyAsync(c => c.Id == clinicId, ct))
        {
            return ClinicsApi.ClinicNotFound(clinicId);
        }
        var slots = await db.TimeSlots.AsNoTracking()
            .Where(t => t.ClinicId == clinicId && (includeInactive || t.IsActive))
            .OrderBy(t => t.StartTime).ThenBy(t => t.Id)
            .ToListAsync(ct);
        return TypedResults.Ok(slots.Select(TimeSlotResponse.From).ToList());
    }

    public static async Task<Results<Ok<TimeSlotResponse>, ProblemHttpResult>> GetTimeSlot(long id, ShardDatabases shards, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var slot = db is null ? null : await db.TimeSlots.AsNoTracking().FirstOrDefaultAsync(t => t.ClinicId == ClinicIds.ClinicOf(id) && t.Id == id, ct);
        return slot is null ? TimeSlotNotFound(id) : TypedResults.Ok(TimeSlotResponse.From(slot));
    }

    public static async Task<Results<Created<TimeSlotResponse>, ValidationProblem, ProblemHttpResult>> CreateTimeSlot(
        long clinicId, TimeSlotRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForClinic(clinicId);
        var clinic = db is null ? null : await db.Clinics.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clinicId, ct);
        if (db is null || clinic is null)
        {
            return ClinicsApi.ClinicNotFound(clinicId);
        }
        var (start, end, errors) = Validation.TimeSlot(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (!clinic.IsActive)
        {
            return Problems.Conflict($"Clinic {clinicId} is not active.");
        }

        var now = clock.UtcNowMicroseconds();
        var slot = new TimeSlot
        {
            ClinicId = clinicId,
            Name = request.Name!.Trim(),
            StartTime = start,
            EndTime = end,
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.TimeSlots.Add(slot);
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Created($"/timeslots/{slot.Id}", TimeSlotResponse.From(slot));
    }

    /// <summary>
    /// Renames or moves a shift. Moving it is refused while it has future booking slots: they were
    /// generated for the old hours.
    /// </summary>
    public static async Task<Results<Ok<TimeSlotResponse>, ValidationProblem, ProblemHttpResult>> ReplaceTimeSlot(
        long id, TimeSlotRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var slot = db is null ? null : await db.TimeSlots.FirstOrDefaultAsync(t => t.ClinicId == ClinicIds.ClinicOf(id) && t.Id == id, ct);
        if (db is null || slot is null)
        {
            return TimeSlotNotFound(id);
        }
        if (!slot.IsActive)
        {
            return Problems.Conflict($"Time slot {id} is deactivated.");
        }
        var (start, end, errors) = Validation.TimeSlot(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var now = clock.GetUtcNow();
        if ((start != slot.StartTime || end != slot.EndTime)
            && await db.DoctorBookingSlots.AnyAsync(s => s.ClinicId == slot.ClinicId && s.TimeSlotId == id && s.EndsAt > now, ct))
        {
            return Problems.Conflict("The hours of a time slot with future booking slots cannot change; create a new time slot instead.");
        }
        slot.Name = request.Name!.Trim();
        slot.StartTime = start;
        slot.EndTime = end;
        slot.UpdatedAt = clock.UtcNowMicroseconds();
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Ok(TimeSlotResponse.From(slot));
    }

    /// <summary>Deactivates a time slot: refused while future booked slots exist; removes free future slots and templates.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeactivateTimeSlot(
        long id, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        if (db is null)
        {
            return TimeSlotNotFound(id);
        }
        var clinicId = ClinicIds.ClinicOf(id);
        return await Deactivation.DeactivateAsync(db,
            db.TimeSlots.FromSql($"SELECT *, xmin FROM time_slots WHERE clinic_id = {clinicId} AND id = {id} FOR UPDATE"),
            TimeSlotNotFound(id),
            s => s.ClinicId == clinicId && s.TimeSlotId == id,
            t => t.ClinicId == clinicId && t.TimeSlotId == id,
            clock, ct);
    }

    public static ProblemHttpResult TimeSlotNotFound(long id) => Problems.NotFound($"Time slot {id} does not exist.");
}
