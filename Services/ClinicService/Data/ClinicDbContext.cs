using System.Linq.Expressions;
using ClinicBooking.Contracts.Consultations;
using ClinicBooking.Messaging.Outbox;
using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// One clinic shard. Every clinic-scoped table carries <c>clinic_id</c> in its primary key and in every
/// foreign key, so a row can only point at rows of its own clinic. The rules EF Core cannot express
/// (foreign keys to the "active" columns, the overlap exclusion, the id function and the triggers) are
/// created by the migrations; the functions those triggers run are in <see cref="ShardSchema"/>.
/// </summary>
public sealed class ClinicDbContext(DbContextOptions<ClinicDbContext> options) : DbContext(options)
{
    public const string ScopedRowSequence = "scoped_row_seq";
    public const string UniqueActiveTimeSlotName = "ux_time_slots_active_name";
    public const string UniqueDoctorSlot = "ux_doctor_slots_doctor_time_slot_weekday";
    public const string UniqueBookingSlot = "ux_booking_slots_doctor_time_slot_date";
    public const string UniqueActiveBooking = "ux_bookings_active_slot";
    public const string UniqueIdempotencyKey = "ux_bookings_slot_idempotency_key";

    /// <summary>The longest <see cref="ConsultationModes"/> name, with room to spare.</summary>
    public const int ModeMaxLength = 16;

    /// <summary>A price's digits, two of them decimals: up to 99,999,999.99, above <see cref="Contracts.Payments.Price.MaxAmount"/>.</summary>
    public const int PriceDigits = 10;

    public DbSet<Clinic> Clinics => Set<Clinic>();
    public DbSet<Doctor> Doctors => Set<Doctor>();
    public DbSet<TimeSlot> TimeSlots => Set<TimeSlot>();
    public DbSet<DoctorAbsence> DoctorAbsences => Set<DoctorAbsence>();
    public DbSet<DoctorSlot> DoctorSlots => Set<DoctorSlot>();
    public DbSet<BookingSlot> BookingSlots => Set<BookingSlot>();
    public DbSet<Booking> Bookings => Set<Booking>();
    public DbSet<BookingOutboxMessage> OutboxMessages => Set<BookingOutboxMessage>();
    public DbSet<CustomerStanding> CustomerStandings => Set<CustomerStanding>();
    public DbSet<BookingAuditEntry> BookingAudit => Set<BookingAuditEntry>();

    /// <summary>The clinic's IANA time zone, in which its slots and bookings are shown; null when there is no such clinic.</summary>
    public Task<string?> ClinicTimeZoneAsync(long clinicId, CancellationToken ct) =>
        Clinics.Where(c => c.Id == clinicId).Select(c => (string?)c.TimeZone).FirstOrDefaultAsync(ct);

    /// <summary>The time zone of the doctor's clinic; null when there is no such doctor.</summary>
    public Task<string?> DoctorTimeZoneAsync(long doctorId, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(doctorId);
        return (from d in Doctors
                join c in Clinics on d.ClinicId equals c.Id
                where d.ClinicId == clinicId && d.Id == doctorId
                select (string?)c.TimeZone).FirstOrDefaultAsync(ct);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("btree_gist");
        // One sequence for every clinic-scoped table, so an id is unique across kinds in a shard and an id
        // of the wrong kind (a doctor id used as a time slot id) finds nothing.
        modelBuilder.HasSequence<long>(ScopedRowSequence).HasMin(1).HasMax((1L << ClinicIds.RowBits) - 1);

        var clinic = modelBuilder.Entity<Clinic>();
        clinic.ToTable("clinics", t =>
        {
            t.HasCheckConstraint("ck_clinics_id_shape", $"id BETWEEN {ClinicIds.MaxShards} AND {ClinicIds.MaxClinicId}");
            t.HasCheckConstraint("ck_clinics_name_not_blank", "length(btrim(name)) > 0");
            t.HasCheckConstraint("ck_clinics_time_zone_not_blank", "length(btrim(time_zone)) > 0");
            t.HasCheckConstraint("ck_clinics_max_active_bookings_per_customer",
                $"max_active_bookings_per_customer BETWEEN 1 AND {Clinic.MaxActiveBookingsLimit}");
        });
        clinic.Property(c => c.Id).ValueGeneratedOnAdd().HasDefaultValueSql("next_clinic_id()");
        clinic.Property(c => c.Name).HasMaxLength(Clinic.NameMaxLength);
        clinic.Property(c => c.TimeZone).HasMaxLength(Clinic.TimeZoneMaxLength);
        clinic.Property(c => c.Address).HasMaxLength(Clinic.AddressMaxLength);
        clinic.Property(c => c.ActiveClinicId).HasComputedColumnSql("CASE WHEN is_active THEN id END", stored: true);
        clinic.Property(c => c.Version).IsRowVersion();
        clinic.HasIndex(c => c.ActiveClinicId).IsUnique();

        var doctor = modelBuilder.Entity<Doctor>();
        doctor.ToTable("doctors", t =>
        {
            t.HasCheckConstraint("ck_doctors_name_not_blank", "length(btrim(name)) > 0");
            t.HasCheckConstraint("ck_doctors_specialization_not_blank", "length(btrim(specialization)) > 0");
        });
        ConfigureScopedId(doctor, d => d.RowNumber, d => d.Id);
        doctor.Property(d => d.Name).HasMaxLength(Doctor.NameMaxLength);
        doctor.Property(d => d.Specialization).HasMaxLength(Doctor.SpecializationMaxLength);
        doctor.Property(d => d.ActiveDoctorId).HasComputedColumnSql($"CASE WHEN is_active THEN {ScopedIdSql} END", stored: true);
        doctor.Property(d => d.ActiveClinicRef).HasComputedColumnSql("CASE WHEN is_active THEN clinic_id END", stored: true);
        doctor.Property(d => d.Version).IsRowVersion();
        doctor.HasOne<Clinic>().WithMany().HasForeignKey(d => d.ClinicId).OnDelete(DeleteBehavior.Restrict);
        doctor.HasIndex(d => new { d.ClinicId, d.ActiveDoctorId }).IsUnique();
        doctor.HasIndex(d => new { d.ClinicId, d.Specialization });

        var timeSlot = modelBuilder.Entity<TimeSlot>();
        timeSlot.ToTable("time_slots", t =>
        {
            t.HasCheckConstraint("ck_time_slots_name_not_blank", "length(btrim(name)) > 0");
            t.HasCheckConstraint("ck_time_slots_end_after_start", "end_time > start_time");
            t.HasCheckConstraint("ck_time_slots_mode", PostgresDatabase.OneOf("mode", ConsultationModes.Offered));
        });
        timeSlot.Property(s => s.Mode).HasMaxLength(ModeMaxLength).HasDefaultValue(ConsultationModes.InPerson);
        ConfigurePrice(timeSlot, "time_slots", s => s.PriceAmount, s => s.PriceCurrency, zeroAllowed: false);
        ConfigureScopedId(timeSlot, s => s.RowNumber, s => s.Id);
        timeSlot.Property(s => s.Name).HasMaxLength(TimeSlot.NameMaxLength);
        timeSlot.Property(s => s.ActiveTimeSlotId).HasComputedColumnSql($"CASE WHEN is_active THEN {ScopedIdSql} END", stored: true);
        timeSlot.Property(s => s.ActiveClinicRef).HasComputedColumnSql("CASE WHEN is_active THEN clinic_id END", stored: true);
        timeSlot.Property(s => s.Version).IsRowVersion();
        timeSlot.HasOne<Clinic>().WithMany().HasForeignKey(s => s.ClinicId).OnDelete(DeleteBehavior.Restrict);
        timeSlot.HasIndex(s => new { s.ClinicId, s.ActiveTimeSlotId }).IsUnique();
        timeSlot.HasIndex(s => new { s.ClinicId, s.Name }).IsUnique().HasFilter("is_active").HasDatabaseName(UniqueActiveTimeSlotName);

        var doctorSlot = modelBuilder.Entity<DoctorSlot>();
        doctorSlot.ToTable("doctor_slots", t =>
        {
            t.HasCheckConstraint("ck_doctor_slots_weekday", "weekday BETWEEN 1 AND 7");
            t.HasCheckConstraint("ck_doctor_slots_mode", PostgresDatabase.OneOf("mode", ConsultationModes.Offered));
        });
        doctorSlot.Property(s => s.Mode).HasMaxLength(ModeMaxLength);
        // A template's 0 makes the doctor's appointments free in a priced shift; its null takes the shift's price.
        ConfigurePrice(doctorSlot, "doctor_slots", s => s.PriceAmount, s => s.PriceCurrency, zeroAllowed: true);
        ConfigureScopedId(doctorSlot, s => s.RowNumber, s => s.Id);
        // A null weekday (every day) counts as one value: one doctor slot per doctor, time slot and weekday.
        doctorSlot.HasIndex(s => new { s.ClinicId, s.DoctorId, s.TimeSlotId, s.Weekday }).IsUnique().AreNullsDistinct(false)
            .HasDatabaseName(UniqueDoctorSlot);

        var absence = modelBuilder.Entity<DoctorAbsence>();
        absence.ToTable("doctor_absences", t =>
        {
            t.HasCheckConstraint("ck_doctor_absences_dates", $"to_date >= from_date AND to_date - from_date < {DoctorAbsence.MaxDays}");
        });
        ConfigureScopedId(absence, a => a.RowNumber, a => a.Id);
        absence.Property(a => a.Note).HasMaxLength(DoctorAbsence.NoteMaxLength);
        absence.Property(a => a.CreatedBy).HasMaxLength(200);
        absence.HasOne<Doctor>().WithMany().HasForeignKey(a => new { a.ClinicId, a.DoctorId })
            .HasPrincipalKey(d => new { d.ClinicId, d.Id }).OnDelete(DeleteBehavior.Restrict);
        // Generation asks, per doctor and date, whether an absence covers it.
        absence.HasIndex(a => new { a.ClinicId, a.DoctorId, a.FromDate });

        var slot = modelBuilder.Entity<BookingSlot>();
        slot.ToTable("booking_slots", t =>
        {
            t.HasCheckConstraint("ck_booking_slots_end_after_start", "ends_at > starts_at");
            t.HasCheckConstraint("ck_booking_slots_mode", PostgresDatabase.OneOf("mode", ConsultationModes.Offered));
        });
        slot.Property(s => s.Mode).HasMaxLength(ModeMaxLength).HasDefaultValue(ConsultationModes.InPerson);
        ConfigurePrice(slot, "booking_slots", s => s.PriceAmount, s => s.PriceCurrency, zeroAllowed: false);
        ConfigureScopedId(slot, s => s.RowNumber, s => s.Id);
        slot.Property(s => s.Version).IsRowVersion();
        slot.HasOne<Doctor>().WithMany().HasForeignKey(s => new { s.ClinicId, s.DoctorId })
            .HasPrincipalKey(d => new { d.ClinicId, d.Id }).OnDelete(DeleteBehavior.Restrict);
        slot.HasOne<TimeSlot>().WithMany().HasForeignKey(s => new { s.ClinicId, s.TimeSlotId })
            .HasPrincipalKey(t => new { t.ClinicId, t.Id }).OnDelete(DeleteBehavior.Restrict);
        slot.HasIndex(s => new { s.ClinicId, s.DoctorId, s.TimeSlotId, s.Date }).IsUnique().HasDatabaseName(UniqueBookingSlot);
        slot.HasIndex(s => new { s.ClinicId, s.StartsAt });
        // A doctor's slots in time order: availability by specialization or doctor, and generation's overlap
        // check, read a range of it. Not on customer_id, so holding a slot stays a HOT update.
        slot.HasIndex(s => new { s.ClinicId, s.DoctorId, s.StartsAt }).HasDatabaseName("ix_booking_slots_doctor_starts_at");
        // The availability search: slots in start order, across the shard's clinics. Not filtered on
        // customer_id: booking a slot and freeing it again only change customer_id, and with no index on it
        // PostgreSQL updates the row in place (a HOT update), without touching any of the table's indexes,
        // the exclusion constraint's GiST index included. Most slots are free, so the filter costs little.
        slot.HasIndex(s => new { s.StartsAt, s.Id }).HasDatabaseName("ix_booking_slots_starts_at_id");
        // Room on each page for the new row versions of those in-place updates.
        slot.HasStorageParameter("fillfactor", 90);

        ConfigureBookings(modelBuilder);
    }

    /// <summary>
    /// A price in two columns (<see cref="Contracts.Payments.Price"/>): both or neither, an amount with at most two
    /// decimals, an ISO 4217 code. Free is null, except on a template, whose 0 says "free" and null "the shift's".
    /// </summary>
    private static void ConfigurePrice<T>(EntityTypeBuilder<T> entity, string table,
        Expression<Func<T, decimal?>> amount, Expression<Func<T, string?>> currency, bool zeroAllowed) where T : class
    {
        entity.Property(amount).HasPrecision(PriceDigits, 2);
        entity.Property(currency).HasMaxLength(3);
        entity.ToTable(table, t =>
        {
            t.HasCheckConstraint($"ck_{table}_price_both_or_neither", "(price_amount IS NULL) = (price_currency IS NULL)");
            t.HasCheckConstraint($"ck_{table}_price_amount", zeroAllowed ? "price_amount >= 0" : "price_amount > 0");
            t.HasCheckConstraint($"ck_{table}_price_currency", "price_currency ~ '^[A-Z]{3}$'");
        });
    }

    private static void ConfigureBookings(ModelBuilder modelBuilder)
    {
        var booking = modelBuilder.Entity<Booking>();
        booking.ToTable("bookings", t =>
        {
            t.HasCheckConstraint("ck_bookings_status", PostgresDatabase.OneOf("status", BookingStatusNames.All));
            t.HasCheckConstraint("ck_bookings_mode", PostgresDatabase.OneOf("mode", ConsultationModes.Booked));
            t.HasCheckConstraint("ck_bookings_ends_after_starts", "ends_at > starts_at");
            t.HasCheckConstraint("ck_bookings_hold_after_request", "expires_at > created_at");
            t.HasCheckConstraint("ck_bookings_revision_positive", "revision >= 1");
            t.HasCheckConstraint("ck_bookings_customer_id_positive", "customer_id > 0");
            // Each status has exactly the timestamps of the path that leads to it: pending → (awaiting payment →)
            // confirmed → cancelled, or pending (→ awaiting payment) → rejected | expired | cancelled. Only a booking
            // paid when booked ever awaits payment.
            t.HasCheckConstraint("ck_bookings_status_history", """
                (awaiting_payment_at IS NULL OR payment_due) AND CASE status
                    WHEN 'pending' THEN awaiting_payment_at IS NULL AND confirmed_at IS NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL
                    WHEN 'awaiting-payment' THEN awaiting_payment_at IS NOT NULL AND confirmed_at IS NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL
                    WHEN 'confirmed' THEN confirmed_at IS NOT NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL
                        AND (awaiting_payment_at IS NOT NULL) = payment_due
                    WHEN 'rejected' THEN rejected_at IS NOT NULL AND confirmed_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL
                    WHEN 'expired' THEN expired_at IS NOT NULL AND confirmed_at IS NULL AND rejected_at IS NULL AND cancelled_at IS NULL
                    WHEN 'cancelled' THEN cancelled_at IS NOT NULL AND rejected_at IS NULL AND expired_at IS NULL
                END
                """);
            t.HasCheckConstraint("ck_bookings_active_has_slot", $"status NOT IN {BookingStatusNames.ActiveSql} OR booking_slot_id IS NOT NULL");
            t.HasCheckConstraint("ck_bookings_idempotency_key_not_blank", "idempotency_key IS NULL OR length(idempotency_key) > 0");
            t.HasCheckConstraint("ck_bookings_booked_by", PostgresDatabase.OneOf("booked_by", Bookers.All));
        });
        ConfigureScopedId(booking, b => b.RowNumber, b => b.Id);
        booking.Property(b => b.Status).HasMaxLength(16)
            .HasConversion(s => s.ToName(), s => BookingStatusNames.Parse(s));
        booking.Property(b => b.IdempotencyKey).HasMaxLength(Booking.IdempotencyKeyMaxLength);
        booking.Property(b => b.Reason).HasMaxLength(Booking.ReasonMaxLength);
        booking.Property(b => b.BookedBy).HasMaxLength(16).HasDefaultValue(Bookers.Customer);
        booking.Property(b => b.Mode).HasMaxLength(ModeMaxLength).HasDefaultValue(ConsultationModes.InPerson);
        ConfigurePrice(booking, "bookings", b => b.PriceAmount, b => b.PriceCurrency, zeroAllowed: false);
        booking.Ignore(b => b.IsActive);
        booking.HasOne<Clinic>().WithMany().HasForeignKey(b => b.ClinicId).OnDelete(DeleteBehavior.Restrict);
        // The slot reference is a composite foreign key whose delete rule (SET NULL of booking_slot_id only)
        // EF cannot express; it is created by the Bookings migration.
        // The last line of defence against double booking: one active booking per slot, whatever the code does.
        booking.HasIndex(b => new { b.ClinicId, b.BookingSlotId }).IsUnique()
            .HasFilter($"status IN {BookingStatusNames.ActiveSql}").HasDatabaseName(UniqueActiveBooking);
        booking.HasIndex(b => new { b.ClinicId, b.BookingSlotId, b.IdempotencyKey }).IsUnique()
            .HasFilter("idempotency_key IS NOT NULL").HasDatabaseName(UniqueIdempotencyKey);
        booking.HasIndex(b => new { b.ClinicId, b.BookingSlotId, b.CreatedAt });
        // A deactivated customer's active bookings, found without reading the others.
        booking.HasIndex(b => b.CustomerId).HasFilter($"status IN {BookingStatusNames.ActiveSql}").HasDatabaseName("ix_bookings_active_customer_id");
        // The expiry sweep reads only the bookings holding a slot until a deadline (pending, awaiting payment), by deadline.
        booking.HasIndex(b => b.ExpiresAt).HasFilter("status IN ('pending', 'awaiting-payment')").HasDatabaseName("ix_bookings_pending_expires_at");

        var standing = modelBuilder.Entity<CustomerStanding>();
        standing.ToTable("customer_standings");
        standing.HasKey(s => s.CustomerId);
        standing.Property(s => s.CustomerId).ValueGeneratedNever();

        var audit = modelBuilder.MapAudit<BookingAuditEntry>("booking_audit", BookingAuditEntry.Actions);
        audit.HasKey(a => new { a.ClinicId, a.Id });
        audit.HasOne<Booking>().WithMany().HasForeignKey(a => new { a.ClinicId, a.BookingId })
            .HasPrincipalKey(b => new { b.ClinicId, b.Id }).OnDelete(DeleteBehavior.Restrict);

        var outbox = modelBuilder.MapOutbox<BookingOutboxMessage>();
        outbox.ToTable(t => t.HasCheckConstraint("ck_outbox_messages_message_type", PostgresDatabase.OneOf("message_type", Enum.GetNames<OutboxKind>())));
        outbox.Property(m => m.Kind).HasColumnName("message_type").HasMaxLength(100).HasConversion<string>();
        outbox.HasOne<Booking>().WithMany().HasForeignKey(m => new { m.ClinicId, m.BookingId })
            .HasPrincipalKey(b => new { b.ClinicId, b.Id }).OnDelete(DeleteBehavior.Restrict);
    }

    /// <summary>The SQL of a clinic-scoped id: the clinic id in the high bits, the row number in the low 30.</summary>
    public const string ScopedIdSql = "(clinic_id << 30) | row_no";

    private static void ConfigureScopedId<T>(EntityTypeBuilder<T> entity,
        System.Linq.Expressions.Expression<Func<T, long>> rowNumber,
        System.Linq.Expressions.Expression<Func<T, long>> id) where T : class
    {
        entity.Property(rowNumber).HasColumnName("row_no").UseSequence(ScopedRowSequence);
        entity.Property(id).HasComputedColumnSql(ScopedIdSql, stored: true).ValueGeneratedOnAdd();
        entity.HasKey("ClinicId", "Id");
    }
}

/// <summary>Lets `dotnet ef migrations add` build the model without a running database.</summary>
public sealed class DesignTimeClinicDbContextFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<ClinicDbContext>
{
    public ClinicDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<ClinicDbContext>()
            .UseNpgsql("Host=localhost;Database=clinics")
            .UseSnakeCaseNamingConvention()
            .Options);
}
