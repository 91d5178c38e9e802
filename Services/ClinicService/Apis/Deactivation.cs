using System.Linq.Expressions;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>What deactivating a clinic, a doctor or a time slot does to its booking slots.</summary>
public static class Deactivation
{
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
