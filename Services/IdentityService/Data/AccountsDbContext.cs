using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.IdentityService.Data;

/// <summary>
/// Accounts and roles (ASP.NET Core Identity), OpenIddict's clients and tokens, the signing keys, and the data
/// protection keys the sign-in cookie and antiforgery tokens are sealed with.
/// </summary>
public sealed class AccountsDbContext(DbContextOptions<AccountsDbContext> options) : IdentityDbContext<Account>(options), IDataProtectionKeyContext
{
    public const string UniqueCustomerIndex = "ux_accounts_customer_id";

    public DbSet<SigningKey> SigningKeys => Set<SigningKey>();

    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<AccountOutboxMessage> OutboxMessages => Set<AccountOutboxMessage>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);

        builder.Entity<Account>(account =>
        {
            account.ToTable("accounts", t =>
            {
                t.HasCheckConstraint("ck_accounts_name_not_blank", "length(btrim(name)) > 0");
                t.HasCheckConstraint("ck_accounts_customer_id_positive", "customer_id IS NULL OR customer_id > 0");
            });
            account.Property(a => a.Name).HasMaxLength(Account.NameMaxLength);
            // One account per customer: two sign-ups can never share a customer record.
            account.HasIndex(a => a.CustomerId).IsUnique().HasDatabaseName(UniqueCustomerIndex);
        });
        builder.Entity<IdentityRole>().ToTable("roles");
        builder.Entity<IdentityUserRole<string>>().ToTable("account_roles");
        builder.Entity<IdentityUserClaim<string>>().ToTable("account_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("account_logins");
        builder.Entity<IdentityUserToken<string>>().ToTable("account_tokens");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("role_claims");

        builder.Entity<SigningKey>(key =>
        {
            key.ToTable("signing_keys", t => t.HasCheckConstraint("ck_signing_keys_use",
                PostgresDatabase.OneOf("use", [SigningKey.Signing, SigningKey.Encryption])));
            key.HasKey(k => k.Use);
        });
        builder.Entity<DataProtectionKey>().ToTable("data_protection_keys");

        var outbox = builder.MapOutbox<AccountOutboxMessage>();
        outbox.ToTable(t => t.HasCheckConstraint("ck_outbox_messages_message_type", PostgresDatabase.OneOf("message_type", Enum.GetNames<AccountMessageKind>())));
        outbox.Property(m => m.Kind).HasColumnName("message_type").HasMaxLength(100).HasConversion<string>();
        outbox.Property(m => m.AccountId).HasColumnName("account_id");
        outbox.Property(m => m.Address).HasColumnName("address").HasMaxLength(256);
        outbox.Property(m => m.CreatedAt).HasDefaultValueSql("clock_timestamp()");
        // An account removed (a sign-up undone) takes its unsent mail with it.
        outbox.HasOne<Account>().WithMany().HasForeignKey(m => m.AccountId).OnDelete(DeleteBehavior.Cascade);
        // "Forgot password" asked again within a minute queues nothing more (AccountEmails looks for the last one).
        outbox.HasIndex(m => new { m.AccountId, m.Kind, m.CreatedAt }).HasDatabaseName("ix_outbox_messages_account_id_kind_created_at");
    }
}
