using ClinicBooking.Contracts.Consultations;
using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.NotificationService.Data;

/// <summary>What NotificationService knows (recipients, appointments) and what it sends (notifications).</summary>
public sealed class NotificationDbContext(DbContextOptions<NotificationDbContext> options) : DbContext(options)
{
    public const string UniqueNotificationIndex = "ux_notifications_booking_id_kind_channel_lead_minutes";

    public DbSet<Recipient> Recipients => Set<Recipient>();
    public DbSet<Appointment> Appointments => Set<Appointment>();
    public DbSet<Notification> Notifications => Set<Notification>();
    public DbSet<Preference> Preferences => Set<Preference>();
    public DbSet<ClinicSetting> ClinicSettings => Set<ClinicSetting>();
    public DbSet<AccountMail> AccountMails => Set<AccountMail>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var recipient = modelBuilder.Entity<Recipient>();
        recipient.ToTable("recipients");
        recipient.HasKey(r => r.CustomerId);
        // Customer ids are CustomerService's, never made here.
        recipient.Property(r => r.CustomerId).ValueGeneratedNever();
        recipient.Property(r => r.Name).HasMaxLength(200);
        recipient.Property(r => r.Email).HasMaxLength(254);
        recipient.Property(r => r.Phone).HasMaxLength(32);

        var appointment = modelBuilder.Entity<Appointment>();
        appointment.ToTable("appointments", t =>
        {
            t.HasCheckConstraint("ck_appointments_status", PostgresDatabase.OneOf("status", BookingStatusNames.All));
            t.HasCheckConstraint("ck_appointments_revision_positive", "revision >= 1");
        });
        appointment.HasKey(a => a.BookingId);
        appointment.Property(a => a.BookingId).ValueGeneratedNever();
        appointment.Property(a => a.TimeZone).HasMaxLength(64);
        appointment.Property(a => a.Status).HasMaxLength(16).HasConversion(s => s.ToName(), s => BookingStatusNames.Parse(s));
        appointment.Property(a => a.Reason).HasMaxLength(200);
        appointment.Property(a => a.Mode).HasMaxLength(16).HasDefaultValue(ConsultationModes.InPerson);
        appointment.Ignore(a => a.IsOnline);

        var preference = modelBuilder.Entity<Preference>();
        preference.ToTable("preferences");
        preference.HasKey(p => p.CustomerId);
        preference.Property(p => p.CustomerId).ValueGeneratedNever();
        preference.Property(p => p.UnsubscribeToken).HasMaxLength(64);
        preference.HasIndex(p => p.UnsubscribeToken).IsUnique();

        var clinic = modelBuilder.Entity<ClinicSetting>();
        clinic.ToTable("clinic_settings", t =>
        {
            t.HasCheckConstraint("ck_clinic_settings_reminders", $"cardinality(reminder_lead_hours) <= {ClinicSetting.MaxReminders}");
        });
        clinic.HasKey(c => c.ClinicId);
        clinic.Property(c => c.ClinicId).ValueGeneratedNever();
        clinic.Property(c => c.SenderName).HasMaxLength(ClinicSetting.SenderNameMaxLength);

        var accountMail = modelBuilder.Entity<AccountMail>();
        accountMail.ToTable("account_mails");
        accountMail.HasKey(m => m.NotificationId);
        accountMail.Property(m => m.NotificationId).ValueGeneratedNever();
        accountMail.HasIndex(m => m.MessageId).IsUnique();
        accountMail.Property(m => m.AccountId).HasMaxLength(64);
        accountMail.Property(m => m.ToAddress).HasMaxLength(256);
        accountMail.Property(m => m.ToName).HasMaxLength(200);
        accountMail.Property(m => m.Token).HasMaxLength(2000);
        accountMail.Property(m => m.NewEmail).HasMaxLength(256);

        var notification = modelBuilder.Entity<Notification>();
        notification.ToTable("notifications", t =>
        {
            t.HasCheckConstraint("ck_notifications_kind", PostgresDatabase.OneOf("kind", Enum.GetNames<NotificationKind>()));
            t.HasCheckConstraint("ck_notifications_channel", PostgresDatabase.OneOf("channel", Enum.GetNames<NotificationChannel>()));
            t.HasCheckConstraint("ck_notifications_status", PostgresDatabase.OneOf("status", Enum.GetNames<NotificationStatus>()));
            t.HasCheckConstraint("ck_notifications_sent_at", "(status = 'Sent') = (sent_at IS NOT NULL)");
            t.HasCheckConstraint("ck_notifications_lead_minutes", "(kind = 'Reminder') = (lead_minutes > 0) AND lead_minutes >= 0");
            // An account mail, and only one, is about no booking; it goes by email.
            t.HasCheckConstraint("ck_notifications_account_mail",
                $"(booking_id IS NULL) = ({PostgresDatabase.OneOf("kind", NotificationKinds.Account.Select(k => k.ToString()))}) AND (booking_id IS NOT NULL OR channel = 'Email')");
        });
        notification.Property(n => n.Id).UseIdentityAlwaysColumn();
        notification.Property(n => n.Kind).HasMaxLength(32).HasConversion<string>();
        notification.Property(n => n.Channel).HasMaxLength(16).HasConversion<string>();
        notification.Property(n => n.Status).HasMaxLength(16).HasConversion<string>();
        notification.Property(n => n.Detail).HasMaxLength(1000);
        notification.Property(n => n.CreatedAt).HasDefaultValueSql("now()");
        notification.HasOne<Appointment>().WithMany().HasForeignKey(n => n.BookingId).OnDelete(DeleteBehavior.Restrict);
        // One of each kind (and lead time) per booking and channel: a repeated message queues nothing more.
        notification.HasIndex(n => new { n.BookingId, n.Kind, n.Channel, n.LeadMinutes }).IsUnique().HasDatabaseName(UniqueNotificationIndex);
        notification.HasOne<AccountMail>().WithOne().HasForeignKey<AccountMail>(m => m.NotificationId).OnDelete(DeleteBehavior.Cascade);
        // The dispatcher's claim: the queued ones whose window has opened.
        notification.HasIndex(n => n.NotBefore).HasFilter("status = 'Queued'").HasDatabaseName("ix_notifications_not_before_queued");
    }
}
