using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.DoctorSlots;

/// <summary>
/// Doctor slots: the recurring plan of which time slots a doctor works, on which weekdays.
/// Slot generation turns them into bookable slots.
/// </summary>
public static class DoctorSlotsApi
{
    public static IEndpointRouteBuilder MapDoctorSlotsApi(this IEndpointRouteBuilder app)
    {
        var doctorSlots = app.MapGroup("/doctors/{doctorId:long}/slots").WithTags("Doctor slots")
            .ForShardOf("doctorId", scoped: true, Missing.Doctor).ClinicStaff("doctorId", scoped: true)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        doctorSlots.MapGet("/", ListDoctorSlots);
        doctorSlots.MapPost("/", CreateDoctorSlot);

        var doctorSlot = app.MapGroup("/doctors/slots/{id:long}").WithTags("Doctor slots")
            .ForShardOf("id", scoped: true, Missing.DoctorSlot).ClinicStaff("id", scoped: true)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        doctorSlot.MapGet("/", GetDoctorSlot);
        doctorSlot.MapPut("/", ReplaceDoctorSlot);
        doctorSlot.MapDelete("/", DeleteDoctorSlot);
        return app;
    }

    public static async Task<Ok<List<DoctorSlotResponse>>> ListDoctorSlots(long doctorId, ShardScope shard, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(doctorId);
        if (!await shard.Db.Doctors.AnyAsync(d => d.ClinicId == clinicId && d.Id == doctorId, ct))
        {
            throw Missing.Doctor(doctorId);
        }
        var doctorSlots = await shard.Db.DoctorSlots.AsNoTracking()
            .Where(t => t.ClinicId == clinicId && t.DoctorId == doctorId)
            .OrderBy(t => t.Weekday).ThenBy(t => t.TimeSlotId)
            .ToListAsync(ct);
        return TypedResults.Ok(doctorSlots.Select(s => s.ToResponse()).ToList());
    }

    public static async Task<Ok<DoctorSlotResponse>> GetDoctorSlot(long id, ShardScope shard, CancellationToken ct) =>
        TypedResults.Ok((await FindAsync(shard.Db.DoctorSlots.AsNoTracking(), id, ct)).ToResponse());

    public static async Task<Created<DoctorSlotResponse>> CreateDoctorSlot(
        long doctorId, DoctorSlotRequest request, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(doctorId);
        var doctor = await services.Db.Doctors.AsNoTracking().FirstOrDefaultAsync(d => d.ClinicId == clinicId && d.Id == doctorId, ct)
            ?? throw Missing.Doctor(doctorId);
        await CheckReferencesAsync(services.Db, doctor, request.TimeSlotId!.Value, ct);
        var now = services.Clock.UtcNowMicroseconds();
        var doctorSlot = new DoctorSlot
        {
            ClinicId = clinicId,
            DoctorId = doctorId,
            TimeSlotId = request.TimeSlotId!.Value,
            Weekday = request.Weekday,
            Mode = request.Mode,
            PriceAmount = request.Price?.Amount,
            PriceCurrency = request.Price?.Currency,
            CreatedAt = now,
            UpdatedAt = now,
        };
        services.Db.DoctorSlots.Add(doctorSlot);
        await using var transaction = await services.Db.Database.BeginTransactionAsync(ct);
        await services.Db.SaveChangesAsync(ct);
        await SlotTerms.StampAsync(services.Db, clinicId, doctorSlot.TimeSlotId, doctorId, ct);
        await transaction.CommitAsync(ct);
        return TypedResults.Created($"/doctors/slots/{doctorSlot.Id}", doctorSlot.ToResponse());
    }

    public static async Task<Ok<DoctorSlotResponse>> ReplaceDoctorSlot(
        long id, DoctorSlotRequest request, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var doctorSlot = await FindAsync(services.Db.DoctorSlots, id, ct);
        var doctor = await services.Db.Doctors.AsNoTracking().SingleAsync(d => d.ClinicId == doctorSlot.ClinicId && d.Id == doctorSlot.DoctorId, ct);
        await CheckReferencesAsync(services.Db, doctor, request.TimeSlotId!.Value, ct);
        var previousTimeSlot = doctorSlot.TimeSlotId;
        doctorSlot.TimeSlotId = request.TimeSlotId!.Value;
        doctorSlot.Weekday = request.Weekday;
        doctorSlot.Mode = request.Mode;
        (doctorSlot.PriceAmount, doctorSlot.PriceCurrency) = (request.Price?.Amount, request.Price?.Currency);
        doctorSlot.UpdatedAt = services.Clock.UtcNowMicroseconds();
        await using var transaction = await services.Db.Database.BeginTransactionAsync(ct);
        await services.Db.SaveChangesAsync(ct);
        foreach (var timeSlotId in new[] { previousTimeSlot, doctorSlot.TimeSlotId }.Distinct())
        {
            await SlotTerms.StampAsync(services.Db, doctorSlot.ClinicId, timeSlotId, doctorSlot.DoctorId, ct);
        }
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(doctorSlot.ToResponse());
    }

    /// <summary>Removes a doctorSlot. Slots already generated from it stay; they are managed on their own.</summary>
    public static async Task<NoContent> DeleteDoctorSlot(long id, ShardScope shard, ClinicCache cache, CancellationToken ct)
    {
        await using var transaction = await shard.Db.Database.BeginTransactionAsync(ct);
        var removed = await shard.Db.DoctorSlots.FromSql($"DELETE FROM doctor_slots WHERE clinic_id = {ClinicIds.ClinicOf(id)} AND id = {id} RETURNING *")
            .AsNoTracking().ToListAsync(ct);
        if (removed.Count == 0)
        {
            throw Missing.DoctorSlot(id);
        }
        if (removed[0].Mode is not null || removed[0].PriceAmount is not null)
        {
            // Its free future slots go back to what the time slot (or another template) offers and costs.
            await SlotTerms.StampAsync(shard.Db, removed[0].ClinicId, removed[0].TimeSlotId, removed[0].DoctorId, ct);
        }
        await transaction.CommitAsync(ct);
        await cache.InvalidateClinicAsync(ClinicIds.ClinicOf(id), ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// The doctor must be active, and the time slot an active one of the doctor's own clinic. The database
    /// checks the same (composite foreign keys to the active columns); this gives the clearer answer.
    /// </summary>
    private static async Task CheckReferencesAsync(ClinicDbContext db, Doctor doctor, long timeSlotId, CancellationToken ct)
    {
        if (!doctor.IsActive)
        {
            throw ProblemException.Conflict($"Doctor {doctor.Id} is not active.");
        }
        // A time slot of another clinic looks the same from here: it does not exist in this clinic.
        var timeSlot = await db.TimeSlots.AsNoTracking().FirstOrDefaultAsync(t => t.ClinicId == doctor.ClinicId && t.Id == timeSlotId, ct)
            ?? throw ProblemException.NotFound($"Time slot {timeSlotId} does not exist in clinic {doctor.ClinicId}.");
        if (!timeSlot.IsActive)
        {
            throw ProblemException.Conflict($"Time slot {timeSlotId} is not active.");
        }
    }

    private static async Task<DoctorSlot> FindAsync(IQueryable<DoctorSlot> doctorSlots, long id, CancellationToken ct) =>
        await doctorSlots.FirstOrDefaultAsync(t => t.ClinicId == ClinicIds.ClinicOf(id) && t.Id == id, ct) ?? throw Missing.DoctorSlot(id);
}
