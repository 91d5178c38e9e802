using ClinicBooking.Messages;
using ClinicBooking.NotificationService.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.NotificationService.Accounts;

/// <summary>
/// IdentityService's account mails: each is queued as a notification due at once, sent by the dispatcher like every
/// other (paced, retried, failed for operators), and once per message: a message the broker delivers again finds
/// its mail queued by its MessageId and queues nothing more.
/// </summary>
public sealed class AccountMailConsumer(NotificationDbContext db, TimeProvider clock) : IConsumer<AccountMailRequested>
{
    public Task Consume(ConsumeContext<AccountMailRequested> context) =>
        QueueAsync(db, context.Message,
            context.MessageId ?? throw new InvalidOperationException("An account mail request without a MessageId cannot be told from its repeats."),
            clock.GetUtcNow(), context.CancellationToken);

    /// <summary>Queues the mail of <paramref name="m"/>, unless the message <paramref name="messageId"/> queued it already.</summary>
    internal static Task QueueAsync(NotificationDbContext db, AccountMailRequested m, Guid messageId, DateTimeOffset now, CancellationToken ct)
    {
        var kind = m.Kind switch
        {
            AccountMailKind.VerifyEmail => NotificationKind.VerifyEmail,
            AccountMailKind.ResetPassword => NotificationKind.ResetPassword,
            AccountMailKind.ConfirmEmailChange => NotificationKind.ConfirmEmailChange,
            AccountMailKind.EmailChanged => NotificationKind.EmailChanged,
            AccountMailKind.AccountExists => NotificationKind.AccountExists,
            _ => throw new InvalidOperationException($"No account mail {m.Kind}."),
        };
        now = now.ToUniversalTime();
        // One statement: a repeat delivered at the same moment fails on the unique message id as a whole (and is
        // retried, then finds it queued), so no notification is ever left without its mail.
        return db.Database.ExecuteSqlInterpolatedAsync($"""
            WITH queued AS (
                INSERT INTO notifications (booking_id, kind, channel, lead_minutes, status, due_at, not_before, attempts)
                SELECT NULL, {kind.ToString()}, 'Email', 0, 'Queued', {now}, {now}, 0
                WHERE NOT EXISTS (SELECT 1 FROM account_mails WHERE message_id = {messageId})
                RETURNING id)
            INSERT INTO account_mails (notification_id, message_id, account_id, to_address, to_name, token, new_email)
            SELECT id, {messageId}, {m.AccountId}, {m.To}, {m.Name}, {m.Token}, {m.NewEmail} FROM queued
            """, ct);
    }
}
