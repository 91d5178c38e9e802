namespace ClinicBooking.CustomerService.Data;

/// <summary>
/// A person who books appointments. Customers are never deleted: bookings in the clinic shards refer to
/// them by id, so "delete" deactivates.
/// </summary>
public sealed class Customer
{
    public const int NameMaxLength = Contracts.Customers.ContactRules.NameMaxLength;
    public const int EmailMaxLength = Contracts.Customers.ContactRules.EmailMaxLength;
    public const int PhoneMaxLength = Contracts.Customers.ContactRules.PhoneMaxLength;

    public long Id { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    /// <summary>Lower-cased <see cref="Email"/>, computed by the database; its unique index makes emails unique regardless of case.</summary>
    public string NormalizedEmail { get; private set; } = null!;

    public string? Phone { get; set; }

    public bool IsActive { get; set; } = true;

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? DeactivatedAt { get; set; }

    /// <summary>The <c>Idempotency-Key</c> of the create that made this customer (a sign-up's, see <c>SignUps</c>), if it had one.</summary>
    public string? IdempotencyKey { get; set; }

    /// <summary>PostgreSQL's xmin: a concurrent update of the same row fails instead of being lost.</summary>
    public uint Version { get; set; }

    /// <summary>
    /// Sets the editable fields as they are stored: trimmed, a blank phone as none. Returns whether anything
    /// changed (and then stamps <see cref="UpdatedAt"/>).
    /// </summary>
    public bool SetFields(string name, string email, string? phone, DateTimeOffset now)
    {
        (name, email, phone) = (name.Trim(), email.Trim(), string.IsNullOrWhiteSpace(phone) ? null : phone.Trim());
        if (Name == name && Email == email && Phone == phone)
        {
            return false;
        }
        (Name, Email, Phone, UpdatedAt) = (name, email, phone, now);
        return true;
    }

    public void Deactivate(DateTimeOffset now)
    {
        if (!IsActive)
        {
            return;
        }
        IsActive = false;
        DeactivatedAt = now;
        UpdatedAt = now;
    }

    public void Reactivate(DateTimeOffset now)
    {
        if (IsActive)
        {
            return;
        }
        IsActive = true;
        DeactivatedAt = null;
        UpdatedAt = now;
    }
}
