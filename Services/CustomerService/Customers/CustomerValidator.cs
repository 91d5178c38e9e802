using ClinicBooking.Contracts.Customers;
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

/// <summary>Checks the editable fields of a customer (trimmed, as they are stored), by the shared <see cref="ContactRules"/>.</summary>
public sealed class CustomerFieldsValidator : RequestValidator<ICustomerFields>
{
    public CustomerFieldsValidator()
    {
        RuleFor(c => c.Name).NotEmpty().WithMessage("Name is required.").TrimmedMaximumLength(Customer.NameMaxLength);
        RuleFor(c => c.Email).NotEmpty().WithMessage("Email is required.").TrimmedMaximumLength(Customer.EmailMaxLength)
            .Must(ContactRules.IsEmail).WithMessage(ContactRules.EmailMessage);
        RuleFor(c => c.Phone).TrimmedMaximumLength(Customer.PhoneMaxLength)
            .Must(ContactRules.IsPhone).WithMessage(ContactRules.PhoneMessage);
    }
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
