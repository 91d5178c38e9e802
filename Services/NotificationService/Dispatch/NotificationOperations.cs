using ClinicBooking.NotificationService.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.NotificationService.Dispatch;

/// <summary>What operators see: how many notifications stand where, the oldest one waiting, the latest failures.</summary>
public sealed record NotificationReport(
    IReadOnlyList<NotificationCount> Counts, DateTimeOffset? OldestQueuedDueAt, IReadOnlyList<NotificationProblem> RecentFailures);

public sealed record NotificationCount(string Kind, string Channel, string Status, int Count);

public sealed record NotificationProblem(long Id, long? BookingId, string Kind, string Channel, string Status, int Attempts, string? Detail, DateTimeOffset DueAt);

public static class NotificationOperations
{
    /// <summary>Notifications due longer ago than this make the service Degraded: sending is stuck or far behind.</summary>
    public static readonly TimeSpan OverdueAfter = TimeSpan.FromMinutes(5);

    public static async Task<NotificationReport> ReportAsync(NotificationDbContext db, CancellationToken ct)
    {
        var counts = await db.Notifications.GroupBy(n => new { n.Kind, n.Channel, n.Status })
            .Select(g => new { g.Key.Kind, g.Key.Channel, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        var oldest = await db.Notifications.Where(n => n.Status == NotificationStatus.Queued)
            .MinAsync(n => (DateTimeOffset?)n.DueAt, ct);
        var failures = await db.Notifications.Where(n => n.Status == NotificationStatus.Failed || n.Status == NotificationStatus.Queued && n.Attempts > 1)
            .OrderByDescending(n => n.Id).Take(20).AsNoTracking().ToListAsync(ct);
        return new NotificationReport(
            [.. counts.OrderBy(c => c.Kind).ThenBy(c => c.Status).Select(c => new NotificationCount(c.Kind.ToString(), c.Channel.ToString(), c.Status.ToString(), c.Count))],
            oldest,
            [.. failures.Select(n => new NotificationProblem(n.Id, n.BookingId, n.Kind.ToString(), n.Channel.ToString(), n.Status.ToString(), n.Attempts, n.Detail, n.DueAt))]);
    }

    /// <summary><c>GET /operations/notifications</c> for administrators and services (operators' tools).</summary>
    public static RouteHandlerBuilder MapNotificationOperations(this IEndpointRouteBuilder app) =>
        app.MapGet("/operations/notifications", async Task<Ok<NotificationReport>> (NotificationDbContext db, CancellationToken ct) =>
                TypedResults.Ok(await ReportAsync(db, ct)))
            .WithName("NotificationOperations").WithTags("Operations").ExcludeFromDescription();
}

/// <summary>Degraded while notifications wait past their time (sending stuck or far behind), or some failed for good.</summary>
public sealed class NotificationBacklogHealthCheck(IServiceScopeFactory scopes) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        var overdueSince = DateTimeOffset.UtcNow - NotificationOperations.OverdueAfter;
        var overdue = await db.Notifications.CountAsync(n => n.Status == NotificationStatus.Queued && n.DueAt < overdueSince, ct);
        var failed = await db.Notifications.CountAsync(n => n.Status == NotificationStatus.Failed, ct);
        return overdue == 0 && failed == 0
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Degraded($"{overdue} notification(s) overdue by more than {NotificationOperations.OverdueAfter.TotalMinutes} minutes, {failed} failed: see /operations/notifications.");
    }
}
