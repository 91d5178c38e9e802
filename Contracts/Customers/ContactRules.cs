using System.Net.Mail;
using System.Text.RegularExpressions;

namespace ClinicBooking.Contracts.Customers;

/// <summary>
/// What a customer's email and phone must look like: one rule for CustomerService, which stores them, and for
/// IdentityService's sign-up, which must refuse exactly what CustomerService would before it knows whether the
/// address has an account (otherwise a refusal that only a new address reaches would tell the two apart).
/// </summary>
public static partial class ContactRules
{
    public const int NameMaxLength = 200;
    public const int EmailMaxLength = 254; // RFC 5321's limit for a forward path
    public const int PhoneMaxLength = 32;

    public const string EmailMessage = "Email must be a valid address such as name@example.com.";
    public const string PhoneMessage = "Phone must be 5 to 15 digits, optionally with a leading + and spaces, dashes or parentheses.";

    /// <summary>
    /// A bare address with a dotted domain (blank passes: whether it is required is the caller's rule). MailAddress
    /// alone accepts display names and dot-less domains; the pattern matches the database's check constraint.
    /// </summary>
    public static bool IsEmail(string? email) =>
        string.IsNullOrWhiteSpace(email)
        || (EmailPattern().IsMatch(email.Trim()) && MailAddress.TryCreate(email.Trim(), out var address) && address.Address == email.Trim());

    /// <summary>5 to 15 digits, optionally a leading + and spaces, dashes or parentheses (blank passes).</summary>
    public static bool IsPhone(string? phone) =>
        string.IsNullOrWhiteSpace(phone)
        || (PhonePattern().IsMatch(phone.Trim()) && phone.Count(char.IsAsciiDigit) is >= 5 and <= 15);

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+?[0-9][0-9 ()\-]*$")]
    private static partial Regex PhonePattern();
}
