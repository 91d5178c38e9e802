using ClinicBooking.ClinicService.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>
/// Turns what a shard database refuses into a 409 problem that says why. The API checks first for clear
/// messages; this covers the races and everything only the database can see.
/// </summary>
public static class ShardErrors
{
    private static readonly Dictionary<string, string> Messages = new()
    {
        [ClinicDbContext.UniqueActiveTimeSlotName] = "The clinic already has an active time slot with this name.",
        [ClinicDbContext.UniqueTemplate] = "The doctor already has this time slot on this weekday.",
        ["fk_doctor_slot_templates_active_doctor"] = "The doctor is not active.",
        ["fk_doctor_slot_templates_active_time_slot"] = "The time slot is not active.",
        ["fk_doctors_active_clinic"] = "The clinic is not active.",
        ["fk_time_slots_active_clinic"] = "The clinic is not active.",
        [ShardSchema.ActiveDoctorConstraint] = "The doctor has future booking slots, or is not active.",
        [ShardSchema.ActiveTimeSlotConstraint] = "The time slot has future booking slots, or is not active.",
        [ShardSchema.OverlapConstraint] = "The doctor already has a booking slot at an overlapping time.",
        [ClinicDbContext.UniqueBookingSlot] = "The doctor already has a booking slot for this time slot on this date.",
    };

    public static async Task<ProblemHttpResult?> TrySaveAsync(this ClinicDbContext db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return null;
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problems.Conflict("The resource was changed by another request at the same time; read it again and retry.");
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException pg && ToProblem(pg) is { } problem)
        {
            return problem;
        }
    }

    /// <summary>A problem for a constraint violation, or null for any other database error.</summary>
    public static ProblemHttpResult? ToProblem(PostgresException ex) => ex.SqlState switch
    {
        PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation
            or PostgresErrorCodes.ExclusionViolation or PostgresErrorCodes.CheckViolation =>
            Problems.Conflict(Messages.GetValueOrDefault(ex.ConstraintName ?? "", $"The change breaks the rule {ex.ConstraintName}.")),
        _ => null,
    };
}
