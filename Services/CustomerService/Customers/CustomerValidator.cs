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
        RuleFor(c => c.Name).NotEmpty().WithMessage("Name is required.").TrimmedMaximumLength(Customer.NameMaxLength);
        RuleFor(c => c.Email).NotEmpty().WithMessage("Email is required.").TrimmedMaximumLength(Customer.EmailMaxLength)
            .Must(email => string.IsNullOrWhiteSpace(email) || IsEmail(email.Trim()))
            .WithMessage("Email must be a valid address such as name@example.com.");
        RuleFor(c => c.Phone).TrimmedMaximumLength(Customer.PhoneMaxLength)
            .Must(phone => string.IsNullOrWhiteSpace(phone) || IsPhone(phone.Trim()))
            .WithMessage("Phone must be 5 to 15 digits, optionally with a leading + and spaces, dashes or parentheses.");
    }

    // MailAddress alone accepts display names and dot-less domains; the pattern keeps it to a bare address
    // with a dotted domain, matching the database's check constraint.
    private static bool IsEmail(string email) =>
        EmailPattern().IsMatch(email)
        && MailAddress.TryCreate(email, out var address)
        && address.Address == email;

    private static bool IsPhone(string phone) =>
        PhonePattern().IsMatch(phone) && phone.Count(char.IsAsciiDigit) is >= 5 and <= 15;

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
