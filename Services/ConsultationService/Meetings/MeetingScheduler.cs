using System.ComponentModel.DataAnnotations;
using ClinicBooking.ConsultationService.Data;
using ClinicBooking.ConsultationService.Video;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ConsultationService.Meetings;

/// <summary>The scheduler's settings (section <c>Meetings</c>).</summary>
public sealed class MeetingOptions
{
    public const string Section = "Meetings";

    [Range(typeof(TimeSpan), "00:00:00.050", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>How long a claimed consultation is this instance's before another may take it (one that died mid-call).</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>The longest wait between two tries at a provider that keeps failing.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    [Range(1, 500)]
    public int BatchSize { get; set; } = 20;
}

/// <summary>
/// Brings each consultation's meeting in line with its booking: makes the meeting of a confirmed online booking,
/// moves it when the booking's times change, cancels it when the booking is cancelled. Outside any booking's
/// transaction and never in its way: it claims consultations whose meeting is behind their booking
/// (<c>FOR UPDATE SKIP LOCKED</c>, each leased for <see cref="MeetingOptions.Lease"/>), calls the provider, and
/// records what it answered at the revision it acted on. A failure is retried, backing off up to
/// <see cref="MeetingOptions.MaxBackoff"/>, for as long as it takes, with the attempts and the last error on the row
/// (<c>/operations/consultations</c>, and the health check turns Degraded). A repeat is harmless: the provider
/// makes one meeting per booking.
/// </summary>
public sealed class MeetingScheduler(
    IServiceScopeFactory scopes, IVideoProvider provider, IOptions<MeetingOptions> options, IOptions<VideoOptions> video,
    TimeProvider clock, ILogger<MeetingScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                while (await RunBatchAsync(stoppingToken) == options.Value.BatchSize)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Scheduling meetings failed; trying again shortly.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Claims and handles one batch; returns how many it claimed.</summary>
    public async Task<int> RunBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationDbContext>();
        var now = clock.GetUtcNow();
        var batch = await db.Consultations.FromSqlInterpolated($"""
            UPDATE consultations SET claimed_until = {now + options.Value.Lease}
            WHERE booking_id IN (SELECT booking_id FROM consultations
                                 WHERE synced_revision < revision AND next_attempt_at <= {now}
                                   AND (claimed_until IS NULL OR claimed_until < {now})
                                 ORDER BY next_attempt_at LIMIT {options.Value.BatchSize} FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().ToListAsync(ct);
        foreach (var consultation in batch)
        {
            await SyncAsync(db, consultation, ct);
        }
        return batch.Count;
    }

    private async Task SyncAsync(ConsultationDbContext db, Consultation c, CancellationToken ct)
    {
        var request = new MeetingRequest($"booking-{c.BookingId}", $"Online appointment (booking {c.BookingId})",
            c.StartsAt, c.EndsAt, c.StartsAt - video.Value.OpensBefore, c.TimeZone);
        try
        {
            Meeting? meeting = null;
            if (!c.IsActive)
            {
                if (c.MeetingId is not null && !c.MeetingCancelled)
                {
                    await provider.CancelAsync(c.MeetingId, ct);
                }
            }
            else
            {
                meeting = c.MeetingId is null || c.MeetingCancelled
                    ? await provider.CreateAsync(request, ct)
                    : await provider.UpdateAsync(c.MeetingId, request, ct);
            }
            // What the provider now holds, at the revision acted on: a newer change waits for the next round.
            var (providerName, meetingId, patientUrl, doctorUrl) = meeting is null
                ? (c.Provider, c.MeetingId, c.PatientUrl, c.DoctorUrl)
                : (provider.Name, meeting.Id, meeting.PatientUrl, meeting.DoctorUrl);
            var meetingCancelled = meeting is null && (c.MeetingId is not null || c.MeetingCancelled);
            await db.Consultations.Where(x => x.BookingId == c.BookingId).ExecuteUpdateAsync(x => x
                .SetProperty(r => r.SyncedRevision, c.Revision)
                .SetProperty(r => r.Provider, providerName)
                .SetProperty(r => r.MeetingId, meetingId)
                .SetProperty(r => r.PatientUrl, patientUrl)
                .SetProperty(r => r.DoctorUrl, doctorUrl)
                .SetProperty(r => r.MeetingCancelled, meetingCancelled)
                .SetProperty(r => r.Attempts, 0)
                .SetProperty(r => r.LastError, (string?)null)
                .SetProperty(r => r.ClaimedUntil, (DateTimeOffset?)null)
                .SetProperty(r => r.UpdatedAt, clock.GetUtcNow()), ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var attempts = c.Attempts + 1;
            var wait = TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Min(attempts - 1, 20)), options.Value.MaxBackoff.TotalSeconds));
            logger.LogWarning(ex, "The video provider failed for booking {BookingId} (attempt {Attempts}); trying again in {Wait}", c.BookingId, attempts, wait);
            var error = $"{ex.GetType().Name}: {ex.Message}";
            await db.Consultations.Where(x => x.BookingId == c.BookingId).ExecuteUpdateAsync(x => x
                .SetProperty(r => r.Attempts, attempts)
                .SetProperty(r => r.LastError, error.Length > 1000 ? error[..1000] : error)
                .SetProperty(r => r.NextAttemptAt, clock.GetUtcNow() + wait)
                // updated_at stays when the booking last changed (or the provider last answered): how long it has been behind.
                .SetProperty(r => r.ClaimedUntil, (DateTimeOffset?)null), CancellationToken.None);
        }
    }
}
