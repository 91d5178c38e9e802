using ClinicBooking.Contracts.Access;
using ClinicBooking.IdentityService.Data;
using FluentValidation;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>A customer's sign-up. Fields are nullable so a missing one is a validation error, not a JSON error.</summary>
public sealed record RegisterRequest(
    [property: SetBy(SetByAttribute.Anyone)] string? Name,
    [property: SetBy(SetByAttribute.Anyone)] string? Email,
    [property: SetBy(SetByAttribute.Anyone)] string? Phone,
    [property: SetBy(SetByAttribute.Anyone)] string? Password);

public sealed record RegisteredResponse(string AccountId, long CustomerId, string Email);

/// <summary>A clinic staff account: created, or (an existing staff account's email) given one more clinic.</summary>
public sealed record CreateStaffRequest(
    [property: SetBy(Roles.Administrator)] string? Name,
    [property: SetBy(Roles.Administrator)] string? Email,
    [property: SetBy(Roles.Administrator)] string? Password);


public sealed class RegisterRequestValidator : RequestValidator<RegisterRequest>
{
    public RegisterRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("Name is required.").TrimmedMaximumLength(Account.NameMaxLength);
        RuleFor(r => r.Email).NotEmpty().WithMessage("Email is required.").TrimmedMaximumLength(254);
        RuleFor(r => r.Phone).TrimmedMaximumLength(32);
        RuleFor(r => r.Password).NotEmpty().WithMessage("Password is required.").MaximumLength(AccountsApi.PasswordMaxLength);
    }
}

public sealed class CreateStaffRequestValidator : RequestValidator<CreateStaffRequest>
{
    public CreateStaffRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().WithMessage("Name is required.").TrimmedMaximumLength(Account.NameMaxLength);
        RuleFor(r => r.Email).NotEmpty().WithMessage("Email is required.").TrimmedMaximumLength(254);
        RuleFor(r => r.Password).MaximumLength(AccountsApi.PasswordMaxLength);
    }
}

/// <summary>The signed-in account's current password and the new one (body of <c>POST /account/password</c>).</summary>
public sealed record ChangePasswordRequest(
    [property: SetBy(Roles.Customer, Roles.Staff, Roles.Administrator)] string? CurrentPassword,
    [property: SetBy(Roles.Customer, Roles.Staff, Roles.Administrator)] string? NewPassword);

public sealed class ChangePasswordRequestValidator : RequestValidator<ChangePasswordRequest>
{
    public ChangePasswordRequestValidator()
    {
        RuleFor(r => r.CurrentPassword).NotEmpty().MaximumLength(AccountsApi.PasswordMaxLength);
        RuleFor(r => r.NewPassword).NotEmpty().MinimumLength(10).MaximumLength(AccountsApi.PasswordMaxLength);
    }
}

public static class StaffResponses
{
    public static StaffResponse ToStaffResponse(this Account account, IEnumerable<long> clinicIds) =>
        new(account.Id, account.Name, account.Email!, [.. clinicIds.Order()]);
}
