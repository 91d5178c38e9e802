using Microsoft.AspNetCore.Identity;

namespace ClinicBooking.IdentityService.Data;

/// <summary>
/// A person who signs in: a customer (linked to their CustomerService record), a clinic staff member (with
/// a <c>clinic_id</c> claim per clinic), or an administrator. Roles say which; an account is never both a
/// customer and staff.
/// </summary>
public sealed class Account : IdentityUser
{
    public const int NameMaxLength = 200;

    public required string Name { get; set; }

    /// <summary>The CustomerService customer this account is, for customers; null for staff and administrators.</summary>
    public long? CustomerId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
