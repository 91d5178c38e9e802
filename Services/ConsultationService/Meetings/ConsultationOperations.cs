using ClinicBooking.ConsultationService.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.ConsultationService.Meetings;

/// <summary>What operators see: how many consultations stand where, and those whose meeting is behind their booking (no links).</summary>
public sealed record ConsultationReport(int Scheduling, int Scheduled, int Cancelled, IReadOnlyList<BehindConsultation> Behind);

public sealed record BehindConsultation(long BookingId, long ClinicId, DateTimeOffset StartsAt, bool IsActive, int Attempts,
    string? LastError, DateTimeOffset NextAttemptAt, DateTimeOffset Since);

public static class ConsultationOperations
{
    /// <summary>A meeting behind its booking for longer than this makes the service Degraded: the provider is failing.</summary>
    public static readonly TimeSpan StuckAfter = TimeSpan.FromMinutes(5);

    public static async Task<ConsultationReport> ReportAsync(ConsultationDbContext db, CancellationToken ct)
    {
        var rows = db.Consultations.AsNoTracking();
        var behind = await rows.Where(c => c.SyncedRevision < c.Revision).OrderBy(c => c.UpdatedAt).Take(50).ToListAsync(ct);
        return new ConsultationReport(
            await rows.CountAsync(c => c.IsActive && (c.MeetingId == null || c.MeetingCancelled), ct),
            await rows.CountAsync(c => c.IsActive && c.MeetingId != null && !c.MeetingCancelled, ct),
            await rows.CountAsync(c => !c.IsActive, ct),
            [.. behind.Select(c => new BehindConsultation(c.BookingId, c.ClinicId, c.StartsAt, c.IsActive, c.Attempts, c.LastError, c.NextAttemptAt, c.UpdatedAt))]);
    }

    /// <summary><c>GET /operations/consultations</c> for administrators and services (operators' tools).</summary>
    public static RouteHandlerBuilder MapConsultationOperations(this IEndpointRouteBuilder app) =>
        app.MapGet("/operations/consultations", async Task<Ok<ConsultationReport>> (ConsultationDbContext db, CancellationToken ct) =>
                TypedResults.Ok(await ReportAsync(db, ct)))
            .WithName("ConsultationOperations").WithTags("Operations").ExcludeFromDescription();
}

/// <summary>Degraded while a meeting has been behind its booking (the provider failing) for longer than <see cref="ConsultationOperations.StuckAfter"/>.</summary>
public sealed class MeetingBacklogHealthCheck(IServiceScopeFactory scopes, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationDbContext>();
        var since = clock.GetUtcNow() - ConsultationOperations.StuckAfter;
        var stuck = await db.Consultations.CountAsync(c => c.SyncedRevision < c.Revision && c.Attempts > 0 && c.UpdatedAt < since, ct);
        return stuck == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"{stuck} meeting(s) could not be made, moved or cancelled for more than {ConsultationOperations.StuckAfter.TotalMinutes} minutes: see /operations/consultations.");
    }
}
