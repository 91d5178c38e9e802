using System.Net.Mail;
using System.Text.RegularExpressions;
using ClinicBooking.CustomerService.Model;

namespace ClinicBooking.CustomerService.Apis;

/// <summary>Checks and normalises the editable fields of a customer.</summary>
public static partial class CustomerValidator
{
    public sealed record Fields(string Name, string Email, string? Phone);

    /// <summary>Returns the trimmed fields, or the field errors (keyed by JSON property name) when any is invalid.</summary>
    public static (Fields? Fields, Dictionary<string, string[]> Errors) Validate(string? name, string? email, string? phone)
    {
        var errors = new Dictionary<string, string[]>();

        name = name?.Trim();
        if (string.IsNullOrEmpty(name))
        {
            errors["name"] = ["Name is required."];
        }
        else if (name.Length > Customer.NameMaxLength)
        {
            errors["name"] = [$"Name must be at most {Customer.NameMaxLength} characters."];
        }

        email = email?.Trim();
        if (string.IsNullOrEmpty(email))
        {
            errors["email"] = ["Email is required."];
        }
        else if (email.Length > Customer.EmailMaxLength || !IsEmail(email))
        {
            errors["email"] = ["Email must be a valid address such as name@example.com."];
        }

        phone = string.IsNullOrWhiteSpace(phone) ? null : phone.Trim();
        if (phone is not null && (phone.Length > Customer.PhoneMaxLength || !PhonePattern().IsMatch(phone)
            || phone.Count(char.IsAsciiDigit) is < 5 or > 15))
        {
            errors["phone"] = ["Phone must be 5 to 15 digits, optionally with a leading + and spaces, dashes or parentheses."];
        }

        return errors.Count == 0 ? (new Fields(name!, email!, phone), errors) : (null, errors);
    }

    // MailAddress alone accepts display names and dot-less domains; the pattern keeps it to a bare address
    // with a dotted domain, matching the database's check constraint.
    private static bool IsEmail(string email) =>
        EmailPattern().IsMatch(email)
        && MailAddress.TryCreate(email, out var address)
        && address.Address == email;

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+?[0-9][0-9 ()\-]*$")]
    private static partial Regex PhonePattern();
}
