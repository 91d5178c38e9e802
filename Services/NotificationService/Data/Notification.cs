namespace ClinicBooking.NotificationService.Data;

/// <summary>
/// One message to one person, queued when the change it tells of arrives and sent by the
/// <see cref="Dispatch.NotificationDispatcher"/> between <see cref="NotBefore"/> and <see cref="DueAt"/>: about a
/// booking (at most one of each kind and lead time per booking and channel, a unique index, so a message that
/// arrives twice queues nothing more), or an account mail (no booking; what it says is its <see cref="AccountMail"/>).
/// </summary>
public sealed class Notification
{
    public long Id { get; set; }

    /// <summary>The booking it is about; null for an account mail.</summary>
    public long? BookingId { get; set; }

    public NotificationKind Kind { get; set; }

    public NotificationChannel Channel { get; set; }

    /// <summary>A reminder's lead time before the appointment, in minutes of clinic time; 0 for the others.</summary>
    public int LeadMinutes { get; set; }

    public NotificationStatus Status { get; set; }

    /// <summary>When it should go out at the latest (a retry leaves it, and moves <see cref="NotBefore"/>).</summary>
    public DateTimeOffset DueAt { get; set; }

    /// <summary>
    /// The earliest it may go out: a reminder's window opens a little before it is due, so that a herd of
    /// reminders due at one minute is spread over the window at the provider's rate and all arrive in time.
    /// A retry moves it later.
    /// </summary>
    public DateTimeOffset NotBefore { get; set; }

    /// <summary>A dispatcher holds it until then; one that dies mid-batch lets it go when the time passes.</summary>
    public DateTimeOffset? ClaimedUntil { get; set; }

    public int Attempts { get; set; }

    /// <summary>Why the last attempt failed, or why it was dropped.</summary>
    public string? Detail { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}

/// <summary>What a notification tells; stored by name.</summary>
public enum NotificationKind
{
    /// <summary>The booking is confirmed (with a calendar entry, METHOD:REQUEST).</summary>
    Confirmation,

    /// <summary>A confirmed booking was cancelled (the same calendar entry, METHOD:CANCEL).</summary>
    Cancellation,

    /// <summary>The appointment is coming: a clinic-set lead time before it (<see cref="Notification.LeadMinutes"/>).</summary>
    Reminder,

    // Account mails (IdentityService's), by email only, which a person cannot turn off: they answer what the
    // person asked for, or guard their account.

    /// <summary>The link that verifies the account's address.</summary>
    VerifyEmail,

    /// <summary>The single-use link that sets a new password.</summary>
    ResetPassword,

    /// <summary>To a new address: the link that makes it the account's.</summary>
    ConfirmEmailChange,

    /// <summary>To the old address: the account's address was changed.</summary>
    EmailChanged,

    /// <summary>Someone signed up with an address that has an account: sign in, or set a new password.</summary>
    AccountExists,
}

public static class NotificationKinds
{
    /// <summary>The kinds that are account mails, about no booking.</summary>
    public static readonly NotificationKind[] Account =
        [NotificationKind.VerifyEmail, NotificationKind.ResetPassword, NotificationKind.ConfirmEmailChange, NotificationKind.EmailChanged,
            NotificationKind.AccountExists];

    public static bool IsAccountMail(this NotificationKind kind) => Account.Contains(kind);
}

/// <summary>How a notification reaches its person; stored by name.</summary>
public enum NotificationChannel
{
    Email,

    /// <summary>A text message to the customer's phone (E.164), through the configured provider.</summary>
    Sms,
}

/// <summary>Where a notification stands; stored by name.</summary>
public enum NotificationStatus
{
    /// <summary>Waiting to be sent (again, after a failed attempt).</summary>
    Queued,

    Sent,

    /// <summary>Not sent, on purpose: its booking changed, or there is nobody to tell (<see cref="Notification.Detail"/> says why).</summary>
    Dropped,

    /// <summary>Not sent after every attempt: operators see it (<c>/operations/notifications</c>).</summary>
    Failed,
}
