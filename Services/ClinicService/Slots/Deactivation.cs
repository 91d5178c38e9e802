using System.Linq.Expressions;
using ClinicBooking.ClinicService.Data;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Slots;

/// <summary>What deactivating a clinic, a doctor or a time slot does to their slots, in one transaction.</summary>
public static class Deactivation
{
    /// <summary>
    /// Locks the row, then — unless it is inactive already (nothing to do) — removes the free future booking
    /// slots and the templates that depend on it, lets <paramref name="deactivateDependants"/> do the rest,
    /// and deactivates it. Refused with 409 and the blockers while a dependent future slot is booked; the
    /// database's own rules refuse the commit if anything active is left pointing at it (a slot booked
    /// meanwhile, say), and the transaction rolls back.
    /// </summary>
    public static async Task DeactivateAsync<T>(
        ClinicDbContext db, IQueryable<T> lockedRow, Func<ProblemException> notFound,
        Expression<Func<BookingSlot, bool>> dependentSlots, Expression<Func<DoctorSlot, bool>> dependentDoctorSlots,
        TimeProvider clock, CancellationToken ct, Func<DateTimeOffset, Task>? deactivateDependants = null)
        where T : class, IDeactivatable
    {
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var entity = await lockedRow.FirstOrDefaultAsync(ct) ?? throw notFound();
        if (!entity.IsActive)
        {
            return;
        }
        await RemoveFutureSlotsAsync(db, dependentSlots, ct);
        var now = clock.UtcNowMicroseconds();
        await db.DoctorSlots.Where(dependentDoctorSlots).ExecuteDeleteAsync(ct);
        if (deactivateDependants is not null)
        {
            await deactivateDependants(now);
        }
        entity.IsActive = false;
        entity.UpdatedAt = now;
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>
    /// Within the caller's transaction: refuses with a 409 listing the blockers when a matching future
    /// slot is booked; otherwise deletes the matching free future slots. Past slots stay: they are history.
    /// </summary>
    private static async Task RemoveFutureSlotsAsync(
        ClinicDbContext db, Expression<Func<BookingSlot, bool>> match, CancellationToken ct)
    {
        // "Future" by the database's clock (DateTimeOffset.UtcNow becomes now()), as the triggers that refuse a
        // deactivation with future slots judge it.
        var future = db.BookingSlots.Where(match).Where(s => s.EndsAt > DateTimeOffset.UtcNow);
        var blockers = await future.Where(s => s.CustomerId != null)
            .OrderBy(s => s.StartsAt)
            .Select(s => new Blocker(s.Id, s.DoctorId, s.TimeSlotId, s.StartsAt))
            .Take(100)
            .ToListAsync(ct);
        if (blockers.Count > 0)
        {
            throw ProblemException.Conflict("Future booked slots must be cancelled first.",
                new Dictionary<string, object?> { ["blockers"] = blockers });
        }
        await future.Where(s => s.CustomerId == null).ExecuteDeleteAsync(ct);
    }
}
