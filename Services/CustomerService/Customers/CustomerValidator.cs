using System.Net.Mail;
using System.Text.RegularExpressions;
using ClinicBooking.CustomerService.Data;
using FluentValidation;

namespace ClinicBooking.CustomerService.Customers;

/// <summary>The editable fields of a customer, as a create or an update request carries them.</summary>
public interface ICustomerFields
{
    string? Name { get; }
    string? Email { get; }
    string? Phone { get; }
}

/// <summary>Checks the editable fields of a customer (trimmed, as they are stored).</summary>
public sealed partial class CustomerFieldsValidator : RequestValidator<ICustomerFields>
{
    public CustomerFieldsValidator()
    {
        RuleFor(c => c.Name).Must(name => !string.IsNullOrWhiteSpace(name)).WithMessage("Name is required.")
            .DependentRules(() => RuleFor(c => c.Name!.Trim().Length).LessThanOrEqualTo(Customer.NameMaxLength)
                .OverridePropertyName("name").WithMessage($"Name must be at most {Customer.NameMaxLength} characters."));
        RuleFor(c => c.Email).Must(email => !string.IsNullOrWhiteSpace(email)).WithMessage("Email is required.")
            .DependentRules(() => RuleFor(c => c.Email!.Trim()).Must(IsEmail)
                .OverridePropertyName("email").WithMessage("Email must be a valid address such as name@example.com."));
        RuleFor(c => c.Name).PlainText();
        RuleFor(c => c.Email).PlainText();
        RuleFor(c => c.Phone!.Trim()).Must(IsPhone).When(c => !string.IsNullOrWhiteSpace(c.Phone))
            .OverridePropertyName("phone")
            .WithMessage("Phone must be 5 to 15 digits, optionally with a leading + and spaces, dashes or parentheses.");
    }

    // MailAddress alone accepts display names and dot-less domains; the pattern keeps it to a bare address
    // with a dotted domain, matching the database's check constraint.
    private static bool IsEmail(string email) =>
        email.Length <= Customer.EmailMaxLength
        && EmailPattern().IsMatch(email)
        && MailAddress.TryCreate(email, out var address)
        && address.Address == email;

    private static bool IsPhone(string phone) =>
        phone.Length <= Customer.PhoneMaxLength && PhonePattern().IsMatch(phone) && phone.Count(char.IsAsciiDigit) is >= 5 and <= 15;

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+?[0-9][0-9 ()\-]*$")]
    private static partial Regex PhonePattern();
}

public sealed class CustomerFilterValidator : RequestValidator<CustomerFilter>
{
    public CustomerFilterValidator() => RuleFor(f => f.Email).Filter(Customer.EmailMaxLength);
}

public sealed class CreateCustomerRequestValidator : RequestValidator<CreateCustomerRequest>
{
    public CreateCustomerRequestValidator() => Include(new CustomerFieldsValidator());
}

public sealed class UpdateCustomerRequestValidator : RequestValidator<UpdateCustomerRequest>
{
    public UpdateCustomerRequestValidator() => Include(new CustomerFieldsValidator());
}
