namespace ClinicBooking.NotificationService.Data;

/// <summary>
/// A clinic's own notification settings, set by its staff: the reminders' lead times (the service's
/// <c>Notifications:Reminders:Leads</c> for a clinic without a row) and the name its mails come from. Read when
/// a booking is confirmed (which reminders to queue) and when a mail goes out (its sender).
/// </summary>
public sealed class ClinicSetting
{
    public const int MaxReminders = 3;
    public const int MaxLeadHours = 14 * 24;
    public const int SenderNameMaxLength = 100;

    public long ClinicId { get; set; }

    /// <summary>Hours before an appointment, each a reminder; empty for none.</summary>
    public int[] ReminderLeadHours { get; set; } = [];

    public string? SenderName { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}
