using ClinicBooking.Contracts.Payments;
using System.Security.Claims;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Contracts.Consultations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.TimeSlots;

/// <summary>Time slots: the named shifts of a clinic, in its local time.</summary>
public static class TimeSlotsApi
{
    public static IEndpointRouteBuilder MapTimeSlotsApi(this IEndpointRouteBuilder app)
    {
        var clinicSlots = app.MapGroup("/clinics/{clinicId:long}/timeslots").WithTags("Time slots")
            .ForShardOf("clinicId", scoped: false, Missing.Clinic)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        clinicSlots.MapGet("/", ListTimeSlots).Public();
        clinicSlots.MapPost("/", CreateTimeSlot).ClinicStaff("clinicId", scoped: false);

        var slot = app.MapGroup("/timeslots/{id:long}").WithTags("Time slots")
            .ForShardOf("id", scoped: true, Missing.TimeSlot)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        slot.MapGet("/", GetTimeSlot).Public();
        slot.MapPut("/", ReplaceTimeSlot).ClinicStaff("id", scoped: true);
        slot.MapDelete("/", DeactivateTimeSlot).ClinicStaff("id", scoped: true);
        return app;
    }

    public static async Task<Ok<List<TimeSlotResponse>>> ListTimeSlots(
        long clinicId, ShardScope shard, ClaimsPrincipal user, CancellationToken ct, bool includeInactive = false)
    {
        if (includeInactive)
        {
            Access.RequireToSeeInactive(user, clinicId);
        }
        if (!await shard.Db.Clinics.AnyAsync(c => c.Id == clinicId, ct))
        {
            throw Missing.Clinic(clinicId);
        }
        var slots = await shard.Db.TimeSlots.AsNoTracking()
            .Where(t => t.ClinicId == clinicId && (includeInactive || t.IsActive))
            .OrderBy(t => t.StartTime).ThenBy(t => t.Id)
            .ToListAsync(ct);
        return TypedResults.Ok(slots.Select(t => t.ToResponse()).ToList());
    }

    public static async Task<Ok<TimeSlotResponse>> GetTimeSlot(long id, ShardScope shard, CancellationToken ct) =>
        TypedResults.Ok((await FindAsync(shard.Db.TimeSlots.AsNoTracking(), id, ct)).ToResponse());

    public static async Task<Created<TimeSlotResponse>> CreateTimeSlot(
        long clinicId, TimeSlotRequest request, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var clinic = await services.Db.Clinics.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clinicId, ct) ?? throw Missing.Clinic(clinicId);
        if (!clinic.IsActive)
        {
            throw ProblemException.Conflict($"Clinic {clinicId} is not active.");
        }
        var now = services.Clock.UtcNowMicroseconds();
        var (start, end) = request.Hours;
        var slot = new TimeSlot
        {
            ClinicId = clinicId,
            Name = request.Name!.Trim(),
            StartTime = start,
            EndTime = end,
            Mode = request.Mode ?? ConsultationModes.InPerson,
            // An amount of 0 is free: no price.
            PriceAmount = request.StoredPrice?.Amount,
            PriceCurrency = request.StoredPrice?.Currency,
            CreatedAt = now,
            UpdatedAt = now,
        };
        services.Db.TimeSlots.Add(slot);
        await services.Db.SaveChangesAsync(ct);
        return TypedResults.Created($"/timeslots/{slot.Id}", slot.ToResponse());
    }

    /// <summary>
    /// Renames or moves a shift. Moving it is refused while it has future booking slots: they were
    /// generated for the old hours.
    /// </summary>
    public static async Task<Ok<TimeSlotResponse>> ReplaceTimeSlot(
        long id, TimeSlotRequest request, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var slot = await FindAsync(services.Db.TimeSlots, id, ct);
        if (!slot.IsActive)
        {
            throw ProblemException.Conflict($"Time slot {id} is deactivated.");
        }
        var (start, end) = request.Hours;
        if ((start != slot.StartTime || end != slot.EndTime)
            && await services.Db.BookingSlots.AnyAsync(s => s.ClinicId == slot.ClinicId && s.TimeSlotId == id && s.EndsAt > DateTimeOffset.UtcNow, ct))
        {
            throw ProblemException.Conflict("The hours of a time slot with future booking slots cannot change; create a new time slot instead.");
        }
        slot.Name = request.Name!.Trim();
        slot.StartTime = start;
        slot.EndTime = end;
        var termsChanged = (request.Mode is not null && request.Mode != slot.Mode)
                           || (request.Price is not null && request.StoredPrice != Price.Of(slot.PriceAmount, slot.PriceCurrency));
        slot.Mode = request.Mode ?? slot.Mode;
        if (request.Price is not null)
        {
            (slot.PriceAmount, slot.PriceCurrency) = (request.StoredPrice?.Amount, request.StoredPrice?.Currency);
        }
        slot.UpdatedAt = services.Clock.UtcNowMicroseconds();
        await using var transaction = await services.Db.Database.BeginTransactionAsync(ct);
        await services.Db.SaveChangesAsync(ct);
        if (termsChanged)
        {
            // Its free future slots offer and cost what it now does (booked ones keep their booking's terms).
            await SlotTerms.StampAsync(services.Db, slot.ClinicId, id, doctorId: null, ct);
        }
        await transaction.CommitAsync(ct);
        return TypedResults.Ok(slot.ToResponse());
    }

    /// <summary>Deactivates a time slot: refused while future booked slots exist; removes free future slots and templates.</summary>
    public static async Task<NoContent> DeactivateTimeSlot(long id, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        await Deactivation.DeactivateAsync(services.Db,
            services.Db.TimeSlots.FromSql($"SELECT *, xmin FROM time_slots WHERE clinic_id = {clinicId} AND id = {id} FOR UPDATE"),
            () => Missing.TimeSlot(id),
            s => s.ClinicId == clinicId && s.TimeSlotId == id,
            t => t.ClinicId == clinicId && t.TimeSlotId == id,
            services.Clock, ct);
        return TypedResults.NoContent();
    }

    private static async Task<TimeSlot> FindAsync(IQueryable<TimeSlot> slots, long id, CancellationToken ct) =>
        await slots.FirstOrDefaultAsync(t => t.ClinicId == ClinicIds.ClinicOf(id) && t.Id == id, ct) ?? throw Missing.TimeSlot(id);
}
