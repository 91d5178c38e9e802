using ClinicBooking.Contracts.Payments;
using ClinicBooking.PaymentService.Checkouts;
using ClinicBooking.PaymentService.LocalProvider;
using ClinicBooking.Messaging.Outbox;
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
    public const string UniqueCheckoutKey = "ux_checkouts_customer_idempotency_key";
    public const string UniqueProviderPayment = "ux_payments_provider_reference";

    public DbSet<Invoice> Invoices => Set<Invoice>();
    public DbSet<InvoiceLine> InvoiceLines => Set<InvoiceLine>();
    public DbSet<Payment> Payments => Set<Payment>();
    public DbSet<PaymentAllocation> PaymentAllocations => Set<PaymentAllocation>();
    public DbSet<BookedAppointment> BookedAppointments => Set<BookedAppointment>();
    public DbSet<Checkout> Checkouts => Set<Checkout>();
    public DbSet<CheckoutInvoice> CheckoutInvoices => Set<CheckoutInvoice>();
    public DbSet<ProviderEventRecord> ProviderEvents => Set<ProviderEventRecord>();
    public DbSet<PaymentOutboxMessage> OutboxMessages => Set<PaymentOutboxMessage>();
    public DbSet<CreditNote> CreditNotes => Set<CreditNote>();
    public DbSet<CreditEntry> CreditEntries => Set<CreditEntry>();
    public DbSet<CreditBalance> CreditBalances => Set<CreditBalance>();
    public DbSet<ClinicPaymentPolicy> PaymentPolicies => Set<ClinicPaymentPolicy>();
    public DbSet<Coupon> Coupons => Set<Coupon>();
    public DbSet<Refund> Refunds => Set<Refund>();
    public DbSet<CouponRedemption> CouponRedemptions => Set<CouponRedemption>();

    // The local payment provider's own tables (it runs inside this service here; a deployment with Stripe leaves them empty).
    public DbSet<LocalSession> LocalSessions => Set<LocalSession>();
    public DbSet<LocalCharge> LocalCharges => Set<LocalCharge>();
    public DbSet<LocalRefund> LocalRefunds => Set<LocalRefund>();
    public DbSet<LocalIdempotentRequest> LocalRequests => Set<LocalIdempotentRequest>();
    public DbSet<LocalWebhook> LocalWebhooks => Set<LocalWebhook>();

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction, committed at its end; the whole of it is run again, on a clean
    /// change tracker, when the connection fails (the retrying execution strategy allows no transaction of its own).
    /// </summary>
    public Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken ct) =>
        Database.CreateExecutionStrategy().ExecuteAsync(async () =>
        {
            ChangeTracker.Clear();
            await using var transaction = await Database.BeginTransactionAsync(ct);
            var result = await work();
            await transaction.CommitAsync(ct);
            return result;
        });

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
        payment.Property(p => p.ProviderReference).HasMaxLength(200);
        // One payment per captured provider payment, however often its webhook comes.
        payment.HasIndex(p => p.ProviderReference).IsUnique().HasDatabaseName(UniqueProviderPayment);
        payment.HasOne<Checkout>().WithMany().HasForeignKey(p => p.CheckoutId).OnDelete(DeleteBehavior.Restrict);
        payment.ToTable(t => t.HasCheckConstraint("ck_payments_card", $"(method = '{PaymentMethods.Card}') = (provider_reference IS NOT NULL AND checkout_id IS NOT NULL)"));
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

        var outbox = modelBuilder.MapOutbox<PaymentOutboxMessage>();
        outbox.Property(m => m.BookingId).HasColumnName("booking_id");
        outbox.Property(m => m.ClinicId).HasColumnName("clinic_id");
        outbox.Property(m => m.PaymentId).HasColumnName("payment_id");
        outbox.Property(m => m.PaidAt).HasColumnName("paid_at");

        var checkout = modelBuilder.Entity<Checkout>();
        checkout.ToTable("checkouts", t =>
        {
            t.HasCheckConstraint("ck_checkouts_status", PostgresDatabase.OneOf("status", Checkout.Statuses));
            t.HasCheckConstraint("ck_checkouts_amount", "amount > 0");
            t.HasCheckConstraint("ck_checkouts_paid", $"(status = '{Checkout.Paid}') = (payment_id IS NOT NULL AND paid_at IS NOT NULL)");
        });
        checkout.Property(c => c.Currency).HasMaxLength(3);
        checkout.Property(c => c.Status).HasMaxLength(16);
        checkout.Property(c => c.Amount).HasPrecision(SumDigits, 2);
        checkout.Property(c => c.SessionId).HasMaxLength(200);
        checkout.Property(c => c.Url).HasMaxLength(2000);
        checkout.Property(c => c.IdempotencyKey).HasMaxLength(Payment.IdempotencyKeyMaxLength);
        checkout.Property(c => c.LastFailure).HasMaxLength(500);
        checkout.HasIndex(c => new { c.CustomerId, c.IdempotencyKey }).IsUnique().HasDatabaseName(UniqueCheckoutKey);
        checkout.HasIndex(c => c.SessionId).IsUnique();
        checkout.HasMany(c => c.Invoices).WithOne().HasForeignKey(i => i.CheckoutId).OnDelete(DeleteBehavior.Restrict);

        var checkoutInvoice = modelBuilder.Entity<CheckoutInvoice>();
        checkoutInvoice.ToTable("checkout_invoices", t => t.HasCheckConstraint("ck_checkout_invoices_amount", "amount > 0"));
        checkoutInvoice.HasKey(i => new { i.CheckoutId, i.InvoiceId });
        checkoutInvoice.Property(i => i.Amount).HasPrecision(SumDigits, 2);
        checkoutInvoice.HasOne<Invoice>().WithMany().HasForeignKey(i => i.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        checkoutInvoice.HasIndex(i => i.InvoiceId);

        var providerEvent = modelBuilder.Entity<ProviderEventRecord>();
        providerEvent.ToTable("provider_events");
        providerEvent.HasKey(e => e.Id);
        providerEvent.Property(e => e.Id).HasMaxLength(200);
        providerEvent.Property(e => e.Kind).HasMaxLength(32);
        providerEvent.Property(e => e.Reference).HasMaxLength(200);

        ConfigureCredit(modelBuilder);
        ConfigureCoupons(modelBuilder);
        ConfigureLocalProvider(modelBuilder);
    }

    private static void ConfigureCredit(ModelBuilder modelBuilder)
    {
        var note = modelBuilder.Entity<CreditNote>();
        note.ToTable("credit_notes", t =>
        {
            t.HasCheckConstraint("ck_credit_notes_amount", "amount > 0");
            t.HasCheckConstraint("ck_credit_notes_currency", "currency ~ '^[A-Z]{3}$'");
        });
        note.Property(n => n.Currency).HasMaxLength(3);
        note.Property(n => n.Amount).HasPrecision(SumDigits, 2);
        note.Property(n => n.Reason).HasMaxLength(CreditNote.ReasonMaxLength);
        note.Property(n => n.IssuedBy).HasMaxLength(200);
        // One cancellation's credit note per invoice, however often its booking's cancellation comes; staff may add
        // their own (the database keeps their sum within what was paid).
        note.HasIndex(n => n.InvoiceId).IsUnique().HasFilter($"issued_by = '{Credit.CreditLedger.System}'").HasDatabaseName("ux_credit_notes_cancellation");
        note.HasOne<Invoice>().WithMany().HasForeignKey(n => n.InvoiceId).OnDelete(DeleteBehavior.Restrict);

        var entry = modelBuilder.Entity<CreditEntry>();
        entry.ToTable("credit_entries", t =>
        {
            t.HasCheckConstraint("ck_credit_entries_amount", "amount <> 0");
            t.HasCheckConstraint("ck_credit_entries_kind", PostgresDatabase.OneOf("kind", CreditKinds.All));
            // What added credit says where from; what spent it, where to.
            t.HasCheckConstraint("ck_credit_entries_source", $"(kind = '{CreditKinds.CreditNote}') = (credit_note_id IS NOT NULL) AND (kind = '{CreditKinds.CreditNote}' OR payment_id IS NOT NULL)");
            t.HasCheckConstraint("ck_credit_entries_sign", $"(amount > 0) = (kind IN ('{CreditKinds.CreditNote}', '{CreditKinds.Unallocated}'))");
        });
        entry.Property(e => e.Currency).HasMaxLength(3);
        entry.Property(e => e.Amount).HasPrecision(SumDigits, 2);
        entry.Property(e => e.Kind).HasMaxLength(16);
        entry.Property(e => e.RecordedBy).HasMaxLength(200);
        entry.HasIndex(e => new { e.CustomerId, e.ClinicId, e.CreatedAt });
        entry.HasOne<CreditNote>().WithMany().HasForeignKey(e => e.CreditNoteId).OnDelete(DeleteBehavior.Restrict);
        entry.HasOne<Payment>().WithMany().HasForeignKey(e => e.PaymentId).OnDelete(DeleteBehavior.Restrict);
        // A payment's unallocated money becomes credit once.
        entry.HasIndex(e => e.PaymentId).IsUnique().HasFilter($"kind = '{CreditKinds.Unallocated}'").HasDatabaseName("ux_credit_entries_unallocated_payment");

        var balance = modelBuilder.Entity<CreditBalance>();
        balance.ToTable("credit_balances", t => t.HasCheckConstraint(PaymentSchema.CreditNotNegative, "balance >= 0"));
        balance.HasKey(b => new { b.ClinicId, b.CustomerId, b.Currency });
        balance.Property(b => b.Currency).HasMaxLength(3);
        balance.Property(b => b.Balance).HasPrecision(SumDigits, 2);

        var refund = modelBuilder.Entity<Refund>();
        refund.ToTable("refunds", t =>
        {
            t.HasCheckConstraint("ck_refunds_amount", "amount > 0");
            t.HasCheckConstraint("ck_refunds_status", PostgresDatabase.OneOf("status", Refund.Statuses));
            t.HasCheckConstraint("ck_refunds_succeeded", $"(status = '{Refund.Succeeded}') = (provider_refund_id IS NOT NULL AND completed_at IS NOT NULL)");
        });
        refund.Property(r => r.Currency).HasMaxLength(3);
        refund.Property(r => r.Amount).HasPrecision(SumDigits, 2);
        refund.Property(r => r.Status).HasMaxLength(16).HasDefaultValue(Refund.Pending);
        refund.Property(r => r.ProviderRefundId).HasMaxLength(200);
        refund.Property(r => r.LastError).HasMaxLength(500);
        refund.Property(r => r.RequestedBy).HasMaxLength(200);
        refund.Ignore(r => r.ProviderKey);
        refund.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Restrict);
        refund.HasIndex(r => r.PaymentId);
        refund.HasIndex(r => r.CreatedAt).HasFilter($"status = '{Refund.Pending}'").HasDatabaseName("ix_refunds_pending");

        var policy = modelBuilder.Entity<ClinicPaymentPolicy>();
        policy.ToTable("clinic_payment_policies", t => t.HasCheckConstraint("ck_clinic_payment_policies_notice",
            $"cancellation_notice_hours BETWEEN 0 AND {ClinicPaymentPolicy.MaxNoticeHours}"));
        policy.HasKey(p => p.ClinicId);
        policy.Property(p => p.ClinicId).ValueGeneratedNever();
    }

    private static void ConfigureCoupons(ModelBuilder modelBuilder)
    {
        var coupon = modelBuilder.Entity<Coupon>();
        coupon.ToTable("coupons", t =>
        {
            t.HasCheckConstraint("ck_coupons_discount", $"(percent_off IS NULL) <> (amount_off IS NULL) AND (percent_off IS NULL OR percent_off BETWEEN 1 AND {Coupon.MaxPercentOff}) AND (amount_off IS NULL OR amount_off > 0)");
            t.HasCheckConstraint("ck_coupons_currency", "(amount_off IS NULL) = (currency IS NULL) AND (currency IS NULL OR currency ~ '^[A-Z]{3}$')");
            t.HasCheckConstraint("ck_coupons_code", "code ~ '^[A-Z0-9][A-Z0-9-]{2,31}$'");
            // The last line of defence of the limit: never more uses than it allows, whatever the code does.
            t.HasCheckConstraint(PaymentSchema.CouponWithinLimit, "times_redeemed >= 0 AND (max_redemptions IS NULL OR (max_redemptions >= 1 AND times_redeemed <= max_redemptions))");
            t.HasCheckConstraint("ck_coupons_active", "active = (deactivated_at IS NULL)");
        });
        coupon.Property(c => c.Code).HasMaxLength(Coupon.CodeMaxLength);
        coupon.Property(c => c.Currency).HasMaxLength(3);
        coupon.Property(c => c.AmountOff).HasPrecision(SumDigits, 2);
        coupon.Property(c => c.CreatedBy).HasMaxLength(200);
        coupon.Property(c => c.Active).HasDefaultValue(true);
        coupon.Property(c => c.TimesRedeemed).HasDefaultValue(0);
        coupon.HasIndex(c => new { c.ClinicId, c.Code }).IsUnique();

        var redemption = modelBuilder.Entity<CouponRedemption>();
        redemption.ToTable("coupon_redemptions", t => t.HasCheckConstraint("ck_coupon_redemptions_amount", "amount > 0"));
        redemption.HasKey(r => new { r.CouponId, r.InvoiceId });
        redemption.Property(r => r.Amount).HasPrecision(SumDigits, 2);
        redemption.Property(r => r.RedeemedBy).HasMaxLength(200);
        // One coupon per invoice, even when two are used on it at once.
        redemption.HasIndex(r => r.InvoiceId).IsUnique();
        redemption.HasIndex(r => r.PaymentId).IsUnique();
        redemption.HasOne<Coupon>().WithMany().HasForeignKey(r => r.CouponId).OnDelete(DeleteBehavior.Restrict);
        redemption.HasOne<Invoice>().WithMany().HasForeignKey(r => r.InvoiceId).OnDelete(DeleteBehavior.Restrict);
        redemption.HasOne<Payment>().WithMany().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Restrict);
    }

    private static void ConfigureLocalProvider(ModelBuilder modelBuilder)
    {
        var session = modelBuilder.Entity<LocalSession>();
        session.ToTable("local_pay_sessions");
        session.Property(s => s.Id).HasMaxLength(64);
        session.Property(s => s.Status).HasMaxLength(16);
        session.Property(s => s.PaymentIntent).HasMaxLength(64);
        session.HasIndex(s => s.PaymentIntent).IsUnique();
        session.HasIndex(s => s.ClientReferenceId);
        session.HasIndex(s => new { s.Status, s.ExpiresAt });
        session.HasMany(s => s.Charges).WithOne().HasForeignKey(c => c.SessionId);

        var charge = modelBuilder.Entity<LocalCharge>();
        charge.ToTable("local_pay_charges");
        charge.Property(c => c.Outcome).HasMaxLength(32);
        charge.Property(c => c.CardLast4).HasMaxLength(4);
        // A page is charged once, whatever the page's code does.
        charge.HasIndex(c => c.SessionId).IsUnique().HasFilter($"outcome = '{LocalCharge.Succeeded}'").HasDatabaseName("ux_local_pay_charges_one_success");

        var refund = modelBuilder.Entity<LocalRefund>();
        refund.ToTable("local_pay_refunds");
        refund.Property(r => r.Id).HasMaxLength(64);
        refund.HasIndex(r => r.PaymentIntent);

        var request = modelBuilder.Entity<LocalIdempotentRequest>();
        request.ToTable("local_pay_requests");
        request.HasKey(r => r.Key);
        request.Property(r => r.Key).HasMaxLength(255);
        request.Property(r => r.RequestHash).HasMaxLength(64);

        var webhook = modelBuilder.Entity<LocalWebhook>();
        webhook.ToTable("local_pay_webhooks");
        webhook.HasKey(w => w.Sequence);
        webhook.Property(w => w.Id).HasMaxLength(64);
        webhook.Property(w => w.Type).HasMaxLength(64);
        webhook.HasIndex(w => w.Id).IsUnique();
        webhook.HasIndex(w => w.Sequence).HasFilter("delivered_at IS NULL").HasDatabaseName("ix_local_pay_webhooks_waiting");
    }
}
