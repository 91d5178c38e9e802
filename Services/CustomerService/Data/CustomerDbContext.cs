using ClinicBooking.Contracts.Access;
using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;

namespace ClinicBooking.CustomerService.Data;

public sealed class CustomerDbContext(DbContextOptions<CustomerDbContext> options) : DbContext(options)
{
    public const string UniqueEmailIndex = "ux_customers_normalized_email";
    public const string UniqueIdempotencyKeyIndex = "ux_customers_idempotency_key";

    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<CustomerBooking> CustomerBookings => Set<CustomerBooking>();
    public DbSet<CustomerOutboxMessage> OutboxMessages => Set<CustomerOutboxMessage>();
    public DbSet<CustomerAuditEntry> CustomerAudit => Set<CustomerAuditEntry>();
    public DbSet<ClinicPatient> ClinicPatients => Set<ClinicPatient>();

    /// <summary>
    /// Every change of a customer's standing writes its event in the same transaction, whichever endpoint made
    /// it, so the cells hear of every deactivation (and reactivation) exactly as it was committed; a new
    /// customer and every change of how to reach one (name, email, phone, standing) write one for
    /// NotificationService the same way.
    /// </summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        var actor = Actor();
        foreach (var entry in ChangeTracker.Entries<Customer>().ToList()) // Entries() detects the changes first
        {
            if (Audit(entry, actor) is { } record)
            {
                CustomerAudit.Add(record);
            }
            var standingChanged = entry.State == EntityState.Modified && entry.Property(c => c.IsActive).IsModified
                && entry.Property(c => c.IsActive).OriginalValue != entry.Entity.IsActive;
            if (standingChanged)
            {
                // Stamped by the database's clock (the column's default), not this process's: the cells keep the
                // newest change, and two instances of this service need not agree on the time.
                OutboxMessages.Add(new CustomerOutboxMessage { Kind = CustomerMessageKind.CustomerStatusChanged, CustomerId = entry.Entity.Id });
            }
            if (entry.State == EntityState.Added || standingChanged || entry.State == EntityState.Modified && entry.Properties.Any(p =>
                    p.IsModified && !Equals(p.OriginalValue, p.CurrentValue) && p.Metadata.Name is nameof(Customer.Name) or nameof(Customer.Email) or nameof(Customer.Phone)))
            {
                OutboxMessages.Add(new CustomerOutboxMessage { Kind = CustomerMessageKind.CustomerContactChanged, Customer = entry.Entity });
            }
        }
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    /// <summary>Who is saving: the request's caller, or "system" when no request is being served.</summary>
    private string Actor()
    {
        var services = this.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.ApplicationServiceProvider;
        var user = services?.GetService<IHttpContextAccessor>()?.HttpContext?.User;
        return user is null ? Caller.SystemActor : Caller.From(user).AuditName;
    }

    /// <summary>The audit record of a change to a customer, if the entry is one.</summary>
    private static CustomerAuditEntry? Audit(Microsoft.EntityFrameworkCore.ChangeTracking.EntityEntry<Customer> entry, string actor)
    {
        var customer = entry.Entity;
        string? action = null, fields = null;
        if (entry.State == EntityState.Added)
        {
            action = "customer.created";
        }
        else if (entry.State == EntityState.Modified)
        {
            var active = entry.Property(c => c.IsActive);
            var changed = entry.Properties.Where(p => p.IsModified && !Equals(p.OriginalValue, p.CurrentValue)
                    && p.Metadata.Name is nameof(Customer.Name) or nameof(Customer.Email) or nameof(Customer.Phone))
                .Select(p => p.Metadata.Name.ToLowerInvariant()).ToList();
            if (active.IsModified && active.OriginalValue != customer.IsActive)
            {
                action = customer.IsActive ? "customer.reactivated" : "customer.deactivated";
            }
            else if (changed.Count > 0)
            {
                action = "customer.updated";
            }
            fields = changed.Count > 0 ? string.Join(", ", changed) : null;
        }
        return action is null ? null : new CustomerAuditEntry
        {
            Customer = customer, CustomerId = customer.Id, At = customer.UpdatedAt, Actor = actor, Action = action, Detail = fields,
        };
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var audit = modelBuilder.MapAudit<CustomerAuditEntry>("customer_audit", CustomerAuditEntry.Actions);
        audit.Property(a => a.CustomerId).HasColumnName("customer_id");
        audit.HasOne(a => a.Customer).WithMany().HasForeignKey(a => a.CustomerId).OnDelete(DeleteBehavior.Restrict);
        audit.HasIndex(a => new { a.CustomerId, a.Id }).HasDatabaseName("ix_customer_audit_customer_id_id");

        var customer = modelBuilder.Entity<Customer>();
        customer.ToTable("customers", t =>
        {
            // The API validates first; these make the database refuse bad rows from any other writer too.
            t.HasCheckConstraint("ck_customers_name_not_blank", "length(btrim(name)) > 0");
            t.HasCheckConstraint("ck_customers_email_shape", "email ~ '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$'");
            t.HasCheckConstraint("ck_customers_deactivated_at", "is_active = (deactivated_at IS NULL)");
        });

        customer.Property(c => c.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        customer.Property(c => c.Name).HasColumnName("name").HasMaxLength(Customer.NameMaxLength);
        customer.Property(c => c.Email).HasColumnName("email").HasMaxLength(Customer.EmailMaxLength);
        customer.Property(c => c.NormalizedEmail).HasColumnName("normalized_email")
            .HasMaxLength(Customer.EmailMaxLength)
            .HasComputedColumnSql("lower(email)", stored: true);
        customer.Property(c => c.Phone).HasColumnName("phone").HasMaxLength(Customer.PhoneMaxLength);
        customer.Property(c => c.IsActive).HasColumnName("is_active");
        customer.Property(c => c.CreatedAt).HasColumnName("created_at");
        customer.Property(c => c.UpdatedAt).HasColumnName("updated_at");
        customer.Property(c => c.DeactivatedAt).HasColumnName("deactivated_at");
        customer.Property(c => c.IdempotencyKey).HasColumnName("idempotency_key").HasMaxLength(IdempotencyKey.MaxLength);
        customer.Property(c => c.Version).IsRowVersion();

        // Unique over every customer, active or not: a deactivated customer still owns its email (and its
        // bookings), so signing up again means reactivating, not creating a twin.
        customer.HasIndex(c => c.NormalizedEmail).IsUnique().HasDatabaseName(UniqueEmailIndex);
        customer.HasIndex(c => c.IdempotencyKey).IsUnique().HasFilter("idempotency_key IS NOT NULL").HasDatabaseName(UniqueIdempotencyKeyIndex);
        customer.HasIndex(c => new { c.IsActive, c.Id }).HasDatabaseName("ix_customers_is_active_id");

        var booking = modelBuilder.Entity<CustomerBooking>();
        booking.ToTable("customer_bookings", t =>
        {
            t.HasCheckConstraint("ck_customer_bookings_status", PostgresDatabase.OneOf("status", BookingStatusNames.All));
            t.HasCheckConstraint("ck_customer_bookings_revision_positive", "revision >= 1");
        });
        booking.HasKey(b => b.BookingId);
        // Booking ids are made by the shards (clinic-scoped), never here.
        booking.Property(b => b.BookingId).HasColumnName("booking_id").ValueGeneratedNever();
        booking.Property(b => b.CustomerId).HasColumnName("customer_id");
        booking.Property(b => b.ClinicId).HasColumnName("clinic_id");
        booking.Property(b => b.BookingSlotId).HasColumnName("booking_slot_id");
        booking.Property(b => b.DoctorId).HasColumnName("doctor_id");
        booking.Property(b => b.StartsAt).HasColumnName("starts_at");
        booking.Property(b => b.EndsAt).HasColumnName("ends_at");
        booking.Property(b => b.TimeZone).HasColumnName("time_zone").HasMaxLength(64);
        booking.Property(b => b.Status).HasColumnName("status").HasMaxLength(16)
            .HasConversion(s => s.ToName(), s => BookingStatusNames.Parse(s));
        booking.Property(b => b.Revision).HasColumnName("revision");
        booking.Property(b => b.UpdatedAt).HasColumnName("updated_at");
        booking.HasOne<Customer>().WithMany().HasForeignKey(b => b.CustomerId).OnDelete(DeleteBehavior.Restrict);
        booking.HasIndex(b => new { b.CustomerId, b.StartsAt }).HasDatabaseName("ix_customer_bookings_customer_starts_at");

        var patient = modelBuilder.Entity<ClinicPatient>();
        patient.ToTable("clinic_patients", t => t.HasCheckConstraint("ck_clinic_patients_via",
            PostgresDatabase.OneOf("via", [ClinicPatient.ViaBooking, ClinicPatient.ViaDesk])));
        patient.HasKey(p => new { p.ClinicId, p.CustomerId });
        patient.Property(p => p.ClinicId).HasColumnName("clinic_id").ValueGeneratedNever();
        patient.Property(p => p.CustomerId).HasColumnName("customer_id").ValueGeneratedNever();
        patient.Property(p => p.Via).HasColumnName("via").HasMaxLength(16);
        patient.Property(p => p.Since).HasColumnName("since");
        patient.HasOne<Customer>().WithMany().HasForeignKey(p => p.CustomerId).OnDelete(DeleteBehavior.Restrict);

        var outbox = modelBuilder.MapOutbox<CustomerOutboxMessage>();
        outbox.ToTable(t => t.HasCheckConstraint("ck_outbox_messages_message_type", PostgresDatabase.OneOf("message_type", Enum.GetNames<CustomerMessageKind>())));
        outbox.Property(m => m.Kind).HasColumnName("message_type").HasMaxLength(100).HasConversion<string>();
        outbox.Property(m => m.CustomerId).HasColumnName("customer_id");
        // The time of the change itself, not of its transaction's start: two changes of one customer are
        // ordered as they happened (the cells keep the newest).
        outbox.Property(m => m.CreatedAt).HasDefaultValueSql("clock_timestamp()");
        outbox.HasOne(m => m.Customer).WithMany().HasForeignKey(m => m.CustomerId).OnDelete(DeleteBehavior.Restrict);
    }
}
