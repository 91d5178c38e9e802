using ClinicBooking.Contracts.Access;

namespace ClinicBooking.Contracts.Notifications;

/// <summary>
/// A customer's notification preferences: per channel (mail, text message) and kind, whether they get it.
/// Unless they choose otherwise: every mail (the confirmation carries the calendar entry), and texts for what
/// cannot wait for the inbox (a cancellation, a reminder), to a customer with a phone number.
/// </summary>
public sealed record NotificationPreferences(
    bool EmailConfirmations, bool EmailCancellations, bool EmailReminders,
    bool SmsConfirmations, bool SmsCancellations, bool SmsReminders,
    DateTimeOffset? ChangedAt)
{
    public static NotificationPreferences Default { get; } = new(true, true, true, false, true, true, null);
}

/// <summary>
/// Replaces a customer's preferences (every field). Only the customer sets them: not their clinic's staff, and
/// not an administrator, who sees them (support) but does not decide what a person is sent.
/// </summary>
public sealed record NotificationPreferencesRequest(
    [property: SetBy(Roles.Customer)] bool? EmailConfirmations,
    [property: SetBy(Roles.Customer)] bool? EmailCancellations,
    [property: SetBy(Roles.Customer)] bool? EmailReminders,
    [property: SetBy(Roles.Customer)] bool? SmsConfirmations,
    [property: SetBy(Roles.Customer)] bool? SmsCancellations,
    [property: SetBy(Roles.Customer)] bool? SmsReminders);

/// <summary>
/// How a clinic's patients are reminded and whom the mails come from: the reminders' lead times in hours
/// before each appointment (none for no reminders), and the sender's name (the platform's when null).
/// </summary>
public sealed record ClinicNotificationSettings(IReadOnlyList<int> ReminderLeadHours, string? SenderName, DateTimeOffset? ChangedAt);

/// <summary>Replaces a clinic's notification settings: its staff and administrators set them.</summary>
public sealed record ClinicNotificationSettingsRequest(
    [property: SetBy(Roles.Staff, Roles.Administrator)] IReadOnlyList<int>? ReminderLeadHours,
    [property: SetBy(Roles.Staff, Roles.Administrator)] string? SenderName);
