using ClinicBooking.Contracts.Payments;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Data;

/// <summary>
/// The money side of bookings, in this service's own database (never a clinic shard): invoices and their lines,
/// payments, the allocations between them (many to many), and this service's view of the bookings it bills. The
/// rules that money depends on are the database's own (<see cref="PaymentSchema"/>): sums kept by triggers, no
/// allocation past a payment's amount or an invoice's total, lines, payments and allocations only ever added.
/// </summary>
public sealed class PaymentDbContext(DbContextOptions<PaymentDbContext> options) : DbContext(options)
{
    /// <summary>An invoice's sums: up to 9,999,999,999.99.</summary>
    public const int SumDigits = 12;

    public const string UniqueAppointmentLine = "ux_invoice_lines_booking";
    public const string UniquePaymentKey = "ux_payments_clinic_idempotency_key";

    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<InvoiceLine> InvoiceLines => Set<InvoiceLine>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<PaymentAllocation> PaymentAllocations => Set<PaymentAllocation>();
    public DbSet<BookedAppointment> BookedAppointments => Set<BookedAppointment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var invoice = modelBuilder.Entity<Invoice>();
        invoice.ToTable("invoices", t =>
        {
            t.HasCheckConstraint("ck_invoices_status", PostgresDatabase.OneOf("status", InvoiceStatuses.All));
            t.HasCheckConstraint("ck_invoices_currency", "currency ~ '^[A-Z]{3}$'");
            t.HasCheckConstraint(PaymentSchema.SettledWithinTotal, "total >= 0 AND settled >= 0 AND settled <= total");
            // Paid exactly when the allocations reach the total; void only while nothing was paid.
            t.HasCheckConstraint("ck_invoices_paid_when_settled", $"status = '{InvoiceStatuses.Void}' OR (status = '{InvoiceStatuses.Paid}') = (total > 0 AND settled = total)");
            t.HasCheckConstraint("ck_invoices_paid_at", $"(status = '{InvoiceStatuses.Paid}') = (paid_at IS NOT NULL)");
            t.HasCheckConstraint("ck_invoices_void", $"(status = '{InvoiceStatuses.Void}') = (voided_at IS NOT NULL) AND (status <> '{InvoiceStatuses.Void}' OR settled = 0)");
        });
        invoice.Property(i => i.Currency).HasMaxLength(3);
        invoice.Property(i => i.Status).HasMaxLength(16).HasDefaultValue(InvoiceStatuses.Open);
        invoice.Property(i => i.Total).HasPrecision(SumDigits, 2).HasDefaultValue(0m);
        invoice.Property(i => i.Settled).HasPrecision(SumDigits, 2).HasDefaultValue(0m);
        invoice.HasMany(i => i.Lines).WithOne().HasForeignKey(l => l.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        invoice.HasMany(i => i.Allocations).WithOne().HasForeignKey(a => a.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        invoice.HasIndex(i => new { i.CustomerId, i.CreatedAt });
        invoice.HasIndex(i => new { i.ClinicId, i.CreatedAt });

        var line = modelBuilder.Entity<InvoiceLine>();
        line.ToTable("invoice_lines", t =>
        {
            t.HasCheckConstraint("ck_invoice_lines_kind", PostgresDatabase.OneOf("kind", InvoiceLineKinds.All));
            t.HasCheckConstraint("ck_invoice_lines_amount", "amount > 0");
            t.HasCheckConstraint("ck_invoice_lines_booking", $"(kind = '{InvoiceLineKinds.Appointment}') = (booking_id IS NOT NULL)");
            t.HasCheckConstraint("ck_invoice_lines_description", "length(btrim(description)) > 0");
        });
        line.Property(l => l.Kind).HasMaxLength(16);
        line.Property(l => l.Description).HasMaxLength(InvoiceLine.DescriptionMaxLength);
        line.Property(l => l.AddedBy).HasMaxLength(200);
        line.Property(l => l.Amount).HasPrecision(SumDigits, 2);
        // One appointment line, and so one invoice, per booking, however often its message comes.
        line.HasIndex(l => l.BookingId).IsUnique().HasFilter($"kind = '{InvoiceLineKinds.Appointment}'").HasDatabaseName(UniqueAppointmentLine);

        var payment = modelBuilder.Entity<Payment>();
        payment.ToTable("payments", t =>
        {
            t.HasCheckConstraint("ck_payments_amount", "amount > 0");
            t.HasCheckConstraint("ck_payments_method", PostgresDatabase.OneOf("method", PaymentMethods.All));
            t.HasCheckConstraint("ck_payments_currency", "currency ~ '^[A-Z]{3}$'");
        });
        payment.Property(p => p.Currency).HasMaxLength(3);
        payment.Property(p => p.Method).HasMaxLength(16);
        payment.Property(p => p.RecordedBy).HasMaxLength(200);
        payment.Property(p => p.IdempotencyKey).HasMaxLength(Payment.IdempotencyKeyMaxLength);
        payment.Property(p => p.Amount).HasPrecision(SumDigits, 2);
        payment.HasIndex(p => new { p.ClinicId, p.IdempotencyKey }).IsUnique().HasDatabaseName(UniquePaymentKey);
        payment.HasMany(p => p.Allocations).WithOne().HasForeignKey(a => a.PaymentId).OnDelete(DeleteBehavior.Restrict);

        var allocation = modelBuilder.Entity<PaymentAllocation>();
        allocation.ToTable("payment_allocations", t => t.HasCheckConstraint("ck_payment_allocations_amount", "amount > 0"));
        allocation.HasKey(a => new { a.PaymentId, a.InvoiceId });
        allocation.Property(a => a.Amount).HasPrecision(SumDigits, 2);
        allocation.HasIndex(a => a.InvoiceId);

        var booked = modelBuilder.Entity<BookedAppointment>();
        booked.ToTable("booked_appointments", t => t.HasCheckConstraint("ck_booked_appointments_revision", "revision >= 1"));
        booked.HasKey(b => b.BookingId);
        booked.Property(b => b.BookingId).ValueGeneratedNever();
        booked.Property(b => b.Status).HasMaxLength(16);
        booked.Property(b => b.PriceAmount).HasPrecision(10, 2);
        booked.Property(b => b.PriceCurrency).HasMaxLength(3);
    }
}
