using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Data;

public sealed class CustomerDbContext(DbContextOptions<CustomerDbContext> options) : DbContext(options)
{
    public const string UniqueEmailIndex = "ux_customers_normalized_email";

    public DbSet<Customer> Customers => Set<Customer>();
    public DbSet<CustomerBooking> CustomerBookings => Set<CustomerBooking>();
    public DbSet<CustomerEvent> CustomerEvents => Set<CustomerEvent>();

    /// <summary>
    /// Every change of a customer's standing writes its event in the same transaction, whichever endpoint made
    /// it, so the cells hear of every deactivation (and reactivation) exactly as it was committed.
    /// </summary>
    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        foreach (var entry in ChangeTracker.Entries<Customer>()) // Entries() detects the changes first
        {
            if (entry.State == EntityState.Modified && entry.Property(c => c.IsActive).IsModified
                && entry.Property(c => c.IsActive).OriginalValue != entry.Entity.IsActive)
            {
                CustomerEvents.Add(new CustomerEvent
                {
                    CustomerId = entry.Entity.Id, IsActive = entry.Entity.IsActive, ChangedAt = entry.Entity.UpdatedAt,
                });
            }
        }
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
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
        customer.Property(c => c.Version).IsRowVersion();

        // Unique over every customer, active or not: a deactivated customer still owns its email (and its
        // bookings), so signing up again means reactivating, not creating a twin.
        customer.HasIndex(c => c.NormalizedEmail).IsUnique().HasDatabaseName(UniqueEmailIndex);
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

        var customerEvent = modelBuilder.Entity<CustomerEvent>();
        customerEvent.ToTable("customer_events");
        customerEvent.Property(e => e.Id).HasColumnName("id").UseIdentityAlwaysColumn();
        customerEvent.Property(e => e.CustomerId).HasColumnName("customer_id");
        customerEvent.Property(e => e.IsActive).HasColumnName("is_active");
        customerEvent.Property(e => e.ChangedAt).HasColumnName("changed_at");
        customerEvent.Property(e => e.SentAt).HasColumnName("sent_at");
        customerEvent.HasOne<Customer>().WithMany().HasForeignKey(e => e.CustomerId).OnDelete(DeleteBehavior.Restrict);
        customerEvent.HasIndex(e => e.Id).HasFilter("sent_at IS NULL").HasDatabaseName("ix_customer_events_unsent");
    }
}
