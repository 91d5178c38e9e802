using ClinicBooking.Contracts.Consultations;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ConsultationService.Data;

/// <summary>The consultations (online appointments and their meetings), and the local video provider's meetings.</summary>
public sealed class ConsultationDbContext(DbContextOptions<ConsultationDbContext> options) : DbContext(options)
{
    public DbSet<Consultation> Consultations => Set<Consultation>();
    public DbSet<LocalMeeting> LocalMeetings => Set<LocalMeeting>();
    public DbSet<LocalMeetingJoin> LocalMeetingJoins => Set<LocalMeetingJoin>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var consultation = modelBuilder.Entity<Consultation>();
        consultation.ToTable("consultations", t =>
        {
            t.HasCheckConstraint("ck_consultations_revisions", "revision >= 1 AND synced_revision >= 0 AND synced_revision <= revision");
            t.HasCheckConstraint("ck_consultations_ends_after_starts", "ends_at > starts_at");
            // A meeting has both links, or neither.
            t.HasCheckConstraint("ck_consultations_links", "(meeting_id IS NULL) = (patient_url IS NULL) AND (meeting_id IS NULL) = (doctor_url IS NULL)");
        });
        // One consultation, and so one meeting, per booking.
        consultation.HasKey(c => c.BookingId);
        consultation.Property(c => c.BookingId).ValueGeneratedNever();
        consultation.Property(c => c.TimeZone).HasMaxLength(64);
        consultation.Property(c => c.Provider).HasMaxLength(32);
        consultation.Property(c => c.MeetingId).HasMaxLength(200);
        consultation.Property(c => c.PatientUrl).HasMaxLength(2000);
        consultation.Property(c => c.DoctorUrl).HasMaxLength(2000);
        consultation.Property(c => c.LastError).HasMaxLength(1000);
        consultation.Ignore(c => c.Status);
        // What the scheduler looks for: rows whose meeting is behind the booking.
        consultation.HasIndex(c => c.NextAttemptAt).HasFilter("synced_revision < revision").HasDatabaseName("ix_consultations_due");
        consultation.HasIndex(c => new { c.CustomerId, c.StartsAt });
        consultation.HasIndex(c => new { c.ClinicId, c.StartsAt });

        var meeting = modelBuilder.Entity<LocalMeeting>();
        meeting.ToTable("local_meetings");
        meeting.Property(m => m.Id).HasMaxLength(64);
        meeting.Property(m => m.Reference).HasMaxLength(200);
        meeting.Property(m => m.Title).HasMaxLength(200);
        meeting.HasIndex(m => m.Reference).IsUnique();
        meeting.HasMany(m => m.Joins).WithOne().HasForeignKey(j => j.MeetingId);

        var join = modelBuilder.Entity<LocalMeetingJoin>();
        join.ToTable("local_meeting_joins", t => t.HasCheckConstraint("ck_local_meeting_joins_participant", PostgresDatabase.OneOf("participant", VideoParticipants.All)));
        join.Property(j => j.Participant).HasMaxLength(16);
    }
}

/// <summary>Who a join link is for.</summary>
public static class VideoParticipants
{
    public const string Patient = "patient";
    public const string Doctor = "doctor";

    public static readonly string[] All = [Patient, Doctor];
}
