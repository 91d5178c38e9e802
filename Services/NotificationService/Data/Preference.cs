using ClinicBooking.Contracts.Notifications;

namespace ClinicBooking.NotificationService.Data;

/// <summary>
/// What a customer wants to be sent, per channel and kind; a customer without a row has the defaults
/// (<see cref="NotificationPreferences.Default"/>). Read when each notification is about to go out, so a
/// change applies to what is already queued. The row is made on the first change, or when a mail first
/// needs its one-click link to stop reminders (<see cref="UnsubscribeToken"/>).
/// </summary>
public sealed class Preference
{
    public long CustomerId { get; set; }

    public bool EmailConfirmations { get; set; }
    public bool EmailCancellations { get; set; }
    public bool EmailReminders { get; set; }

    public bool SmsConfirmations { get; set; }
    public bool SmsCancellations { get; set; }
    public bool SmsReminders { get; set; }

    /// <summary>
    /// The secret in the one-click link that stops reminder mails (RFC 8058 <c>List-Unsubscribe</c>): random,
    /// one per customer, so the link needs no sign-in and tells nothing about whose it is.
    /// </summary>
    public required string UnsubscribeToken { get; set; }

    public DateTimeOffset? ChangedAt { get; set; }

    /// <summary>Whether the customer wants this kind of message on this channel.</summary>
    public bool Wants(NotificationChannel channel, NotificationKind kind) => (channel, kind) switch
    {
        (NotificationChannel.Email, NotificationKind.Confirmation) => EmailConfirmations,
        (NotificationChannel.Email, NotificationKind.Cancellation) => EmailCancellations,
        (NotificationChannel.Email, NotificationKind.Reminder) => EmailReminders,
        (NotificationChannel.Sms, NotificationKind.Confirmation) => SmsConfirmations,
        (NotificationChannel.Sms, NotificationKind.Cancellation) => SmsCancellations,
        (NotificationChannel.Sms, NotificationKind.Reminder) => SmsReminders,
        _ => true,
    };

    /// <summary>What a customer who never chose gets.</summary>
    public static Preference Default(long customerId) =>
        new Preference { CustomerId = customerId, UnsubscribeToken = NewToken() }.Set(NotificationPreferences.Default);

    public Preference Set(NotificationPreferences p)
    {
        (EmailConfirmations, EmailCancellations, EmailReminders) = (p.EmailConfirmations, p.EmailCancellations, p.EmailReminders);
        (SmsConfirmations, SmsCancellations, SmsReminders) = (p.SmsConfirmations, p.SmsCancellations, p.SmsReminders);
        return this;
    }

    public NotificationPreferences ToContract() =>
        new(EmailConfirmations, EmailCancellations, EmailReminders, SmsConfirmations, SmsCancellations, SmsReminders, ChangedAt);

    public static string NewToken() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
}
