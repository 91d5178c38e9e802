using System.Linq.Expressions;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>What deactivating a clinic, a doctor or a time slot does, in one transaction.</summary>
public static class Deactivation
{
    /// <summary>
    /// Locks the row, then — unless it is inactive already (nothing to do) — removes the free future booking
    /// slots and the templates that depend on it, lets <paramref name="deactivateDependants"/> do the rest,
    /// and deactivates it. Refused with 409 and the blockers while a dependent future slot is booked; the
    /// database's own rules refuse the commit if anything active is left pointing at it.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeactivateAsync<T>(
        ClinicDbContext db, IQueryable<T> lockedRow, ProblemHttpResult notFound,
        Expression<Func<DoctorBookingSlot, bool>> dependentSlots, Expression<Func<DoctorSlotTemplate, bool>> dependentTemplates,
        TimeProvider clock, CancellationToken ct, Func<DateTimeOffset, Task>? deactivateDependants = null)
        where T : class, IDeactivatable
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var entity = await lockedRow.FirstOrDefaultAsync(ct);
        if (entity is null)
        {
            return notFound;
        }
        if (!entity.IsActive)
        {
            return TypedResults.NoContent();
        }
        if (await RemoveFutureSlotsAsync(db, dependentSlots, clock, ct) is { } blocked)
        {
            return blocked;
        }

        var now = clock.UtcNowMicroseconds();
        try
        {
            await db.DoctorSlotTemplates.Where(dependentTemplates).ExecuteDeleteAsync(ct);
            if (deactivateDependants is not null)
            {
                await deactivateDependants(now);
            }
        }
        catch (PostgresException ex) when (ShardErrors.ToProblem(ex) is { } problem)
        {
            return problem; // e.g. a slot was booked meanwhile; the transaction rolls back
        }
        entity.IsActive = false;
        entity.UpdatedAt = now;
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        await tx.CommitAsync(ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Within the caller's transaction: refuses with a 409 listing the blockers when a matching future
    /// slot is booked; otherwise deletes the matching free future slots and returns null. Past slots stay:
    /// they are history.
    /// </summary>
    public static async Task<ProblemHttpResult?> RemoveFutureSlotsAsync(
        ClinicDbContext db, Expression<Func<DoctorBookingSlot, bool>> match, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var future = db.DoctorBookingSlots.Where(match).Where(s => s.EndsAt > now);
        var blockers = await future.Where(s => s.CustomerId != null)
            .OrderBy(s => s.StartsAt)
            .Select(s => new Blocker(s.Id, s.DoctorId, s.TimeSlotId, s.StartsAt))
            .Take(100)
            .ToListAsync(ct);
        if (blockers.Count > 0)
        {
            return Problems.Conflict(
                "Future booked slots must be cancelled first.",
                new Dictionary<string, object?> { ["blockers"] = blockers });
        }
        try
        {
            await future.Where(s => s.CustomerId == null).ExecuteDeleteAsync(ct);
            return null;
        }
        catch (PostgresException ex) when (ShardErrors.ToProblem(ex) is { } problem)
        {
            return problem;
        }
    }
}
