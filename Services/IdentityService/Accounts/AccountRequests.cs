using ClinicBooking.Contracts.Access;
using ClinicBooking.IdentityService.Data;
using ClinicBooking.Contracts.Customers;
using FluentValidation;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>A customer's sign-up. Fields are nullable so a missing one is a validation error, not a JSON error.</summary>
public sealed record RegisterRequest(
    [property: SetBy(SetByAttribute.Anyone)] string? Name,
    [property: SetBy(SetByAttribute.Anyone)] string? Email,
    [property: SetBy(SetByAttribute.Anyone)] string? Phone,
    [property: SetBy(SetByAttribute.Anyone)] string? Password);


/// <summary>A clinic staff account: created, or (an existing staff account's email) given one more clinic.</summary>
public sealed record CreateStaffRequest(
    [property: SetBy(Roles.Administrator)] string? Name,
    [property: SetBy(Roles.Administrator)] string? Email,
    [property: SetBy(Roles.Administrator)] string? Password);


public sealed class RegisterRequestValidator : RequestValidator<RegisterRequest>
{
    public RegisterRequestValidator()
    {
        // The customer record's own rules (CustomerService's), checked before it is known whether the address
        // has an account: a refusal only a new address could reach would tell the two apart.
        RuleFor(r => r.Name).NotEmpty().WithMessage("Name is required.").TrimmedMaximumLength(ContactRules.NameMaxLength);
        RuleFor(r => r.Email).NotEmpty().WithMessage("Email is required.").TrimmedMaximumLength(ContactRules.EmailMaxLength)
            .Must(ContactRules.IsEmail).WithMessage(ContactRules.EmailMessage);
        RuleFor(r => r.Phone).TrimmedMaximumLength(ContactRules.PhoneMaxLength)
            .Must(ContactRules.IsPhone).WithMessage(ContactRules.PhoneMessage);
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

/// <summary>The signed-in account as it sees itself (<c>GET /account</c>).</summary>
public sealed record AccountResponse(string Id, string Name, string Email, bool EmailVerified, long? CustomerId);

/// <summary>A verification link's account and token (body of <c>POST /account/email/verify</c>).</summary>
public sealed record VerifyEmailRequest(
    [property: SetBy(SetByAttribute.Anyone)] string? AccountId,
    [property: SetBy(SetByAttribute.Anyone)] string? Token);

/// <summary>The address of an account whose password is forgotten (body of <c>POST /account/password/forgot</c>).</summary>
public sealed record ForgotPasswordRequest([property: SetBy(SetByAttribute.Anyone)] string? Email);

/// <summary>A reset link's account and token, and the new password (body of <c>POST /account/password/reset</c>).</summary>
public sealed record ResetPasswordRequest(
    [property: SetBy(SetByAttribute.Anyone)] string? AccountId,
    [property: SetBy(SetByAttribute.Anyone)] string? Token,
    [property: SetBy(SetByAttribute.Anyone)] string? NewPassword);

/// <summary>The address the signed-in account wants, and its current password (body of <c>POST /account/email</c>).</summary>
public sealed record ChangeEmailRequest(
    [property: SetBy(Roles.Customer, Roles.Staff, Roles.Administrator)] string? NewEmail,
    [property: SetBy(Roles.Customer, Roles.Staff, Roles.Administrator)] string? CurrentPassword);

/// <summary>An email change link's account, new address and token (body of <c>POST /account/email/confirm</c>).</summary>
public sealed record ConfirmEmailChangeRequest(
    [property: SetBy(SetByAttribute.Anyone)] string? AccountId,
    [property: SetBy(SetByAttribute.Anyone)] string? NewEmail,
    [property: SetBy(SetByAttribute.Anyone)] string? Token);

/// <summary>The rules every link's fields share: present, and no longer than any the service makes.</summary>
internal static class LinkRules
{
    public const int TokenMaxLength = 2_000;

    public static void AccountAndToken<T>(this RequestValidator<T> validator, System.Linq.Expressions.Expression<Func<T, string?>> account,
        System.Linq.Expressions.Expression<Func<T, string?>> token)
    {
        // Plain text too: a NUL or a lone surrogate would fail in the database as a 500, not as a refused link.
        validator.RuleFor(account).NotEmpty().WithMessage("The link names no account.").TrimmedMaximumLength(64);
        validator.RuleFor(token).NotEmpty().WithMessage("The link has no token.").TrimmedMaximumLength(TokenMaxLength);
    }
}

public sealed class VerifyEmailRequestValidator : RequestValidator<VerifyEmailRequest>
{
    public VerifyEmailRequestValidator() => this.AccountAndToken(r => r.AccountId, r => r.Token);
}

public sealed class ForgotPasswordRequestValidator : RequestValidator<ForgotPasswordRequest>
{
    public ForgotPasswordRequestValidator() =>
        RuleFor(r => r.Email).NotEmpty().WithMessage("Email is required.").TrimmedMaximumLength(254)
            .EmailAddress().WithMessage("Email is not an email address.");
}

public sealed class ResetPasswordRequestValidator : RequestValidator<ResetPasswordRequest>
{
    public ResetPasswordRequestValidator()
    {
        this.AccountAndToken(r => r.AccountId, r => r.Token);
        RuleFor(r => r.NewPassword).NotEmpty().WithMessage("A new password is required.").MinimumLength(10).MaximumLength(AccountsApi.PasswordMaxLength);
    }
}

public sealed class ChangeEmailRequestValidator : RequestValidator<ChangeEmailRequest>
{
    public ChangeEmailRequestValidator()
    {
        RuleFor(r => r.NewEmail).NotEmpty().WithMessage("The new email is required.").TrimmedMaximumLength(254)
            .EmailAddress().WithMessage("The new email is not an email address.");
        RuleFor(r => r.CurrentPassword).NotEmpty().WithMessage("The current password is required.").MaximumLength(AccountsApi.PasswordMaxLength);
    }
}

public sealed class ConfirmEmailChangeRequestValidator : RequestValidator<ConfirmEmailChangeRequest>
{
    public ConfirmEmailChangeRequestValidator()
    {
        this.AccountAndToken(r => r.AccountId, r => r.Token);
        RuleFor(r => r.NewEmail).NotEmpty().WithMessage("The link names no address.").TrimmedMaximumLength(254);
    }
}
