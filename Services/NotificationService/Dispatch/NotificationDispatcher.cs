using ClinicBooking.Messages;
using ClinicBooking.NotificationService.Clinics;
using ClinicBooking.NotificationService.Data;
using ClinicBooking.NotificationService.Email;
using ClinicBooking.NotificationService.Preferences;
using ClinicBooking.NotificationService.Sms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.NotificationService.Dispatch;

/// <summary>
/// Sends what is due. No job per notification and nothing inside a booking's transaction: every
/// <see cref="DispatchOptions.PollInterval"/> it claims a batch of notifications whose window has opened, soonest
/// due first (<c>FOR UPDATE SKIP LOCKED</c>, so instances share the work, each row leased for
/// <see cref="DispatchOptions.Lease"/>), decides each against the appointment as it is now (a confirmation or a
/// reminder whose booking was cancelled meanwhile is dropped), and sends at most
/// each provider's limit (<see cref="EmailOptions.MaxPerSecond"/>,
/// <see cref="SmsOptions.MaxPerSecond"/>). What the customer wants is read then too (a channel or kind they turned off
/// is dropped). A failed send is tried again later (backing off), and after
/// <see cref="DispatchOptions.MaxAttempts"/> is marked failed for operators. A dispatcher that dies mid-batch
/// leaves its rows leased; they are sent once the lease runs out, and only the one in flight can go twice.
/// </summary>
public sealed class NotificationDispatcher(
    IServiceScopeFactory scopes, IEmailSender email, ISmsSender sms, IOptions<DispatchOptions> options, IOptions<EmailOptions> emailOptions,
    IOptions<SmsOptions> smsOptions, IOptions<NotificationLinks> links, TimeProvider clock, ILogger<NotificationDispatcher> logger) : BackgroundService
{
    // One limit per provider: a herd of reminders is spread at each provider's rate, not dropped.
    private readonly Pacer _emailRate = new(emailOptions.Value.MaxPerSecond);
    private readonly Pacer _smsRate = new(smsOptions.Value.MaxPerSecond);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PollInterval);
        do
        {
            try
            {
                // A full batch means there may be more: go on at once.
                while (await DispatchBatchAsync(stoppingToken) == options.Value.BatchSize)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Dispatching notifications failed; trying again shortly.");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <summary>Claims and handles one batch; returns how many it claimed.</summary>
    public async Task<int> DispatchBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        var directory = scope.ServiceProvider.GetRequiredService<ClinicDirectory>();
        var settings = options.Value;
        // This process's clock decides when a window opens: a reminder a second early or late harms nobody,
        // and the tests move it.
        var now = clock.GetUtcNow();
        var batch = await db.Notifications.FromSqlInterpolated($"""
            UPDATE notifications SET claimed_until = {now + settings.Lease}, attempts = attempts + 1
            WHERE id IN (SELECT id FROM notifications
                         WHERE status = 'Queued' AND not_before <= {now} AND (claimed_until IS NULL OR claimed_until < {now})
                         ORDER BY due_at, id LIMIT {settings.BatchSize} FOR UPDATE SKIP LOCKED)
            RETURNING *
            """).AsNoTracking().ToListAsync(ct);
        foreach (var notification in batch.OrderBy(n => n.DueAt).ThenBy(n => n.Id))
        {
            await HandleAsync(db, directory, notification, ct);
        }
        return batch.Count;
    }

    private async Task HandleAsync(NotificationDbContext db, ClinicDirectory directory, Notification n, CancellationToken ct)
    {
        if (n.BookingId is null)
        {
            await HandleAccountMailAsync(db, n, ct);
            return;
        }
        var appointment = await db.Appointments.AsNoTracking().SingleAsync(a => a.BookingId == n.BookingId, ct);
        // What the customer wants now, not when it was queued.
        var wanted = await db.Preferences.AsNoTracking().SingleOrDefaultAsync(p => p.CustomerId == appointment.CustomerId, ct)
            ?? Preference.Default(appointment.CustomerId);
        var decision = await DecideAsync(db, n, appointment, wanted, clock.GetUtcNow(), ct);
        if (decision is { Drop: { } why })
        {
            await SetAsync(db, n.Id, NotificationStatus.Dropped, why, ct);
            return;
        }
        if (decision is { Wait: { } wait })
        {
            await RetryAsync(db, n, wait.Why, wait.For, countsAsAttempt: false, ct);
            return;
        }
        var recipient = await db.Recipients.AsNoTracking().SingleOrDefaultAsync(r => r.CustomerId == appointment.CustomerId, ct);
        if (recipient is null)
        {
            // CustomerService's word on the customer has not arrived yet (it travels separately).
            await RetryAsync(db, n, "The customer's contact details have not arrived yet.", TimeSpan.FromSeconds(5), countsAsAttempt: true, ct);
            return;
        }
        if (!wanted.Wants(n.Channel, n.Kind))
        {
            await SetAsync(db, n.Id, NotificationStatus.Dropped, $"The customer turned off {n.Kind} messages by {n.Channel}.", ct);
            return;
        }
        var phone = n.Channel == NotificationChannel.Sms ? E164.From(recipient.Phone, smsOptions.Value.DefaultRegion) : null;
        if (n.Channel == NotificationChannel.Sms && phone is null)
        {
            await SetAsync(db, n.Id, NotificationStatus.Dropped,
                recipient.Phone is null ? "The customer gave no phone number." : "The customer's phone number is not a valid number.", ct);
            return;
        }
        await SendAsync(db, n, async () =>
        {
            var practice = await directory.GetAsync(appointment.ClinicId, appointment.DoctorId, ct);
            if (n.Channel == NotificationChannel.Sms)
            {
                var text = new SmsMessage(phone!, AppointmentText.For(n.Kind, appointment, practice, links.Value), $"notification-{n.Id}");
                await _smsRate.WaitAsync(ct);
                await sms.SendAsync(text, ct);
            }
            else
            {
                var from = emailOptions.Value.From;
                var mail = n.Kind switch
                {
                    NotificationKind.Confirmation => AppointmentMail.Confirmation(n, appointment, recipient, practice, from, links.Value),
                    NotificationKind.Cancellation => AppointmentMail.Cancellation(n, appointment, recipient, practice, from, links.Value),
                    NotificationKind.Reminder => AppointmentMail.Reminder(n, appointment, recipient, practice, links.Value,
                        await PreferencesApi.UnsubscribeTokenAsync(db, recipient.CustomerId, ct)),
                    _ => throw new InvalidOperationException($"No mail for {n.Kind}."),
                };
                // The clinic's own sender name, as its staff set it now.
                var sender = await db.ClinicSettings.AsNoTracking().Where(c => c.ClinicId == appointment.ClinicId)
                    .Select(c => c.SenderName).SingleOrDefaultAsync(ct);
                await _emailRate.WaitAsync(ct);
                await email.SendAsync(mail with { SenderName = sender }, ct);
            }
        }, ct);
    }

    /// <summary>
    /// An account mail (IdentityService's): nothing to decide, the person asked for it or it guards their account.
    /// Its link's token is erased once the mail is sent or given up.
    /// </summary>
    private async Task HandleAccountMailAsync(NotificationDbContext db, Notification n, CancellationToken ct)
    {
        var mail = await db.AccountMails.AsNoTracking().SingleOrDefaultAsync(m => m.NotificationId == n.Id, ct);
        if (mail is null)
        {
            await SetAsync(db, n.Id, NotificationStatus.Dropped, "The mail's details are missing.", ct);
            return;
        }
        await SendAsync(db, n, async () =>
        {
            await _emailRate.WaitAsync(ct);
            await email.SendAsync(AccountMailText.For(n, mail, links.Value), ct);
        }, ct);
    }

    /// <summary>Runs <paramref name="send"/>; marks the notification sent, or to be tried again (failed after the last attempt).</summary>
    private async Task SendAsync(NotificationDbContext db, Notification n, Func<Task> send, CancellationToken ct)
    {
        try
        {
            await send();
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "Notification {Id} ({Kind} of booking {BookingId} by {Channel}) was not sent (attempt {Attempt}).",
                n.Id, n.Kind, n.BookingId, n.Channel, n.Attempts);
            await RetryAsync(db, n, ex.Message, Backoff(n.Attempts), countsAsAttempt: true, ct);
            return;
        }
        await db.Notifications.Where(x => x.Id == n.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, NotificationStatus.Sent)
            .SetProperty(x => x.SentAt, clock.GetUtcNow())
            .SetProperty(x => x.ClaimedUntil, (DateTimeOffset?)null)
            .SetProperty(x => x.Detail, (string?)null), ct);
        await EraseTokenAsync(db, n, ct);
    }

    /// <summary>An account mail's link token is needed no more once the mail is sent or given up: it leaves the database.</summary>
    private static async Task EraseTokenAsync(NotificationDbContext db, Notification n, CancellationToken ct)
    {
        if (n.BookingId is null)
        {
            await db.AccountMails.Where(m => m.NotificationId == n.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.Token, (string?)null), ct);
        }
    }

    private sealed record Decision(string? Drop = null, (string Why, TimeSpan For)? Wait = null);

    /// <summary>Whether a booking's notification still applies to the appointment as it is now.</summary>
    private static async Task<Decision> DecideAsync(NotificationDbContext db, Notification n, Appointment a, Preference wanted, DateTimeOffset now, CancellationToken ct)
    {
        switch (n.Kind)
        {
            case NotificationKind.Confirmation or NotificationKind.Reminder when a.Status != BookingStatus.Confirmed:
                return new(Drop: $"The booking is {a.Status.ToName()} now.");
            case NotificationKind.Reminder when now >= a.StartsAt:
                return new(Drop: "The appointment has begun: a reminder now would be of no use.");
            case NotificationKind.Cancellation:
                // The patient hears of a cancellation after its confirmation, and only if the booking lasted long
                // enough to be confirmed to them: a confirmation went out on some channel, or they want none at all.
                var confirmations = await db.Notifications.AsNoTracking()
                    .Where(x => x.BookingId == n.BookingId && x.Kind == NotificationKind.Confirmation)
                    .Select(x => x.Status).ToListAsync(ct);
                if (confirmations.Contains(NotificationStatus.Queued))
                {
                    return new(Wait: ("Its confirmation is not sent yet.", TimeSpan.FromSeconds(2)));
                }
                var wantsNoConfirmation = !Enum.GetValues<NotificationChannel>().Any(c => wanted.Wants(c, NotificationKind.Confirmation));
                return confirmations.Contains(NotificationStatus.Sent) || wantsNoConfirmation
                    ? new()
                    : new(Drop: "No confirmation was sent (the booking ended first): the customer was never told of it.");
            default:
                return new();
        }
    }

    private async Task RetryAsync(NotificationDbContext db, Notification n, string why, TimeSpan after, bool countsAsAttempt, CancellationToken ct)
    {
        if (countsAsAttempt && n.Attempts >= options.Value.MaxAttempts)
        {
            await SetAsync(db, n.Id, NotificationStatus.Failed, $"Not sent after {n.Attempts} attempts: {why}", ct);
            await EraseTokenAsync(db, n, ct);
            return;
        }
        var attempts = countsAsAttempt ? n.Attempts : n.Attempts - 1;
        // Tried again from then on; when it was due stays as it was (how late it went out is then known).
        var due = clock.GetUtcNow() + after;
        await db.Notifications.Where(x => x.Id == n.Id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.NotBefore, due)
            .SetProperty(x => x.Attempts, attempts)
            .SetProperty(x => x.ClaimedUntil, (DateTimeOffset?)null)
            .SetProperty(x => x.Detail, Fit(why)), ct);
    }

    private static Task SetAsync(NotificationDbContext db, long id, NotificationStatus status, string detail, CancellationToken ct) =>
        db.Notifications.Where(x => x.Id == id).ExecuteUpdateAsync(s => s
            .SetProperty(x => x.Status, status)
            .SetProperty(x => x.ClaimedUntil, (DateTimeOffset?)null)
            .SetProperty(x => x.Detail, Fit(detail)), ct);

    /// <summary>A detail as long as its column allows (a provider's error can be longer).</summary>
    private static string Fit(string detail) => detail.Length <= 1000 ? detail : detail[..997] + "...";

    /// <summary>5 s, 10 s, 20 s ... up to 10 minutes between attempts.</summary>
    public static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(600, 5 * Math.Pow(2, Math.Max(0, attempts - 1))));

    public override void Dispose()
    {
        _emailRate.Dispose();
        _smsRate.Dispose();
        base.Dispose();
    }
}

/// <summary>How the dispatcher claims and retries (section <c>Notifications:Dispatch</c>).</summary>
public sealed class DispatchOptions
{
    public const string Section = "Notifications:Dispatch";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    [System.ComponentModel.DataAnnotations.Range(1, 10_000)]
    public int BatchSize { get; set; } = 100;

    /// <summary>How long a claimed notification is held by its dispatcher before another may take it.</summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(2);

    [System.ComponentModel.DataAnnotations.Range(1, 100)]
    public int MaxAttempts { get; set; } = 12;
}
