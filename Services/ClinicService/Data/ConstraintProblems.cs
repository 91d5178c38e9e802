using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// Turns what a shard database refuses into a 409 problem that says why, for every endpoint in one place.
/// The handlers check first for clear messages; this covers the races and everything only the database can
/// see (a constraint, a concurrent edit of the same row).
/// </summary>
public sealed class ConstraintProblems(IProblemDetailsService problemDetails) : IExceptionHandler
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
        [ShardSchema.TimeZoneIsIana] = "The time zone is not an IANA time zone name.",
        [ShardSchema.TimeZoneFixedWhileSlots] = "The clinic's time zone cannot change while it has future booking slots: remove them first.",
        [ShardSchema.HoursFixedWhileSlots] = "The time slot's hours cannot change while it has future booking slots: remove them first.",
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var detail = exception switch
        {
            DbUpdateConcurrencyException => "The resource was changed by another request at the same time; read it again and retry.",
            DbUpdateException { InnerException: PostgresException pg } => Describe(pg),
            PostgresException pg => Describe(pg),
            _ => null,
        };
        if (detail is null)
        {
            return false;
        }
        context.Response.StatusCode = StatusCodes.Status409Conflict;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = detail },
        });
    }

    /// <summary>What a constraint violation means, or null for any other database error.</summary>
    private static string? Describe(PostgresException ex) => ex.SqlState switch
    {
        PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation
            or PostgresErrorCodes.ExclusionViolation or PostgresErrorCodes.CheckViolation =>
            Messages.GetValueOrDefault(ex.ConstraintName ?? "", $"The change breaks the rule {ex.ConstraintName}."),
        _ => null,
    };
}
