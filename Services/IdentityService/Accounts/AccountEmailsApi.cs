using System.Security.Claims;
using ClinicBooking.IdentityService.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>
/// What an account does by mail: verify its address (a new account signs in once it has), set a new password when
/// the old one is forgotten, and move to another address. Each mail goes through the outbox to NotificationService
/// (<see cref="AccountOutbox"/>), with a link to the web app's page, which answers here. The links' tokens are ASP.NET Core Identity's: bound to the
/// account and its security stamp, so a password reset or an email change spends every link of its kind issued
/// before; a reset link lives <see cref="AccountLinks.PasswordResetLifetime"/>, the others
/// <see cref="AccountLinks.EmailLinkLifetime"/>. No answer tells a stranger whether an address has an account.
/// </summary>
public static class AccountEmailsApi
{
    /// <summary>A request for the same mail within this time queues nothing more (one address cannot be flooded).</summary>
    public static readonly TimeSpan MailInterval = TimeSpan.FromMinutes(1);

    public const string InvalidLink = "This link is not valid any more: it was used, it expired, or a newer one replaced it. Ask for a new one.";

    public static IEndpointRouteBuilder MapAccountEmailsApi(this IEndpointRouteBuilder app)
    {
        // The signed-in account itself, any role: its address and whether it is verified.
        app.MapGet("/account", GetAccount).WithTags("Accounts").WithName("GetAccount");
        var account = app.MapGroup("/account").WithTags("Accounts").DisableAntiforgery();
        account.MapPost("/email", RequestEmailChange).WithName("RequestEmailChange").ProducesProblem(StatusCodes.Status400BadRequest);

        // The links in the mails: whoever holds one may use it, signed in or not (it may open in another browser).
        var links = account.MapGroup("").AllowAnonymous().ProducesProblem(StatusCodes.Status400BadRequest);
        links.MapPost("/email/verify", VerifyEmail).WithName("VerifyEmail");
        links.MapPost("/password/forgot", ForgotPassword).WithName("ForgotPassword");
        links.MapPost("/password/reset", ResetPassword).WithName("ResetPassword");
        links.MapPost("/email/confirm", ConfirmEmailChange).WithName("ConfirmEmailChange").ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Ok<AccountResponse>> GetAccount(ClaimsPrincipal user, UserManager<Account> accounts)
    {
        var account = await AccountsApi.SignedInAsync(user, accounts);
        return TypedResults.Ok(new AccountResponse(account.Id, account.Name, account.Email!, account.EmailConfirmed, account.CustomerId));
    }

    /// <summary>Verifies the address with the link's token: the account signs in from now on. Following the link again changes nothing.</summary>
    public static async Task<NoContent> VerifyEmail(VerifyEmailRequest request, UserManager<Account> accounts)
    {
        var account = await accounts.FindByIdAsync(request.AccountId!) ?? throw LinkRefused();
        var result = await accounts.ConfirmEmailAsync(account, AccountLinks.FromLink(request.Token) ?? throw LinkRefused());
        if (!result.Succeeded)
        {
            throw LinkRefused();
        }
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Mails a link that sets a new password, when the address has an account; the answer is the same either
    /// way (202), and so is its timing as far as the database goes.
    /// </summary>
    public static async Task<Accepted> ForgotPassword(ForgotPasswordRequest request, UserManager<Account> accounts, AccountsDbContext db, CancellationToken ct)
    {
        if (await accounts.FindByEmailAsync(request.Email!.Trim()) is { } account)
        {
            await QueueAsync(db, account.Id, AccountMessageKind.ResetPassword, null, ct);
        }
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>
    /// Sets a new password with a reset link's token. The link works once: the new password moves the account's
    /// security stamp, which every older link and token named; every sign-in and token issued before ends too,
    /// as after a password change. The mail reached its owner, so the address counts as verified.
    /// </summary>
    public static async Task<NoContent> ResetPassword(ResetPasswordRequest request, UserManager<Account> accounts, AccountAccess access)
    {
        var account = await accounts.FindByIdAsync(request.AccountId!) ?? throw LinkRefused();
        var result = await accounts.ResetPasswordAsync(account, AccountLinks.FromLink(request.Token) ?? throw LinkRefused(), request.NewPassword!);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.InvalidToken)))
        {
            throw LinkRefused();
        }
        if (!result.Succeeded)
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["newPassword"] = [.. result.Errors.Select(e => e.Description)] });
        }
        // Saved with the new security stamp (one update).
        account.EmailConfirmed = true;
        await access.RevokeAsync(account);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Starts moving the signed-in account to another address: the current password proves it is the person (not
    /// a stolen token alone), and a link goes to the new address; nothing changes until it is followed. An address
    /// that belongs to another account gets no mail, and the answer does not say so.
    /// </summary>
    public static async Task<Accepted> RequestEmailChange(
        ChangeEmailRequest request, ClaimsPrincipal user, UserManager<Account> accounts, AccountsDbContext db, CancellationToken ct)
    {
        var account = await AccountsApi.SignedInAsync(user, accounts);
        if (!await accounts.CheckPasswordAsync(account, request.CurrentPassword!))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is not right."] });
        }
        var email = request.NewEmail!.Trim();
        if (string.Equals(email, account.Email, StringComparison.OrdinalIgnoreCase))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["newEmail"] = ["This is the account's address already."] });
        }
        if (await accounts.FindByEmailAsync(email) is null)
        {
            await QueueAsync(db, account.Id, AccountMessageKind.ConfirmEmailChange, email, ct);
        }
        return TypedResults.Accepted((string?)null);
    }

    /// <summary>
    /// Makes the link's new address the account's (to sign in with, and where its mail goes): the old address is
    /// told, the customer record follows (CustomerService, by message), and every sign-in ends, since the name it
    /// was made with changed.
    /// </summary>
    public static async Task<NoContent> ConfirmEmailChange(
        ConfirmEmailChangeRequest request, UserManager<Account> accounts, AccountsDbContext db, AccountAccess access)
    {
        var account = await accounts.FindByIdAsync(request.AccountId!) ?? throw LinkRefused();
        var email = request.NewEmail!.Trim();
        if (!await accounts.VerifyUserTokenAsync(account, accounts.Options.Tokens.ChangeEmailTokenProvider,
                UserManager<Account>.GetChangeEmailTokenPurpose(email), AccountLinks.FromLink(request.Token) ?? throw LinkRefused()))
        {
            throw LinkRefused();
        }
        var old = account.Email!;
        account.Email = email;
        account.UserName = email;
        account.EmailConfirmed = true;
        db.OutboxMessages.Add(new AccountOutboxMessage { AccountId = account.Id, Kind = AccountMessageKind.EmailChanged, Address = old });
        db.OutboxMessages.Add(new AccountOutboxMessage { AccountId = account.Id, Kind = AccountMessageKind.CustomerEmailChanged });
        IdentityResult result;
        try
        {
            // One save: the account's new address and the messages about it.
            result = await accounts.UpdateAsync(account);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            throw TakenAddress(); // another account took it at the same moment
        }
        if (result.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName)))
        {
            throw TakenAddress();
        }
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
        await access.RevokeAsync(account);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// Queues one mail of <paramref name="kind"/> for the account, unless one was queued within
    /// <see cref="MailInterval"/>: asking again and again sends one mail a minute at most.
    /// </summary>
    internal static async Task QueueAsync(AccountsDbContext db, string accountId, AccountMessageKind kind, string? address, CancellationToken ct)
    {
        // By the database's clock, which stamped created_at (DateTimeOffset.UtcNow is now() in SQL): a process whose
        // own clock runs behind or ahead would otherwise send twice, or hold a mail back for longer than a minute.
        if (await db.OutboxMessages.AnyAsync(m => m.AccountId == accountId && m.Kind == kind && m.Address == address
                && m.CreatedAt + MailInterval > DateTimeOffset.UtcNow, ct))
        {
            return;
        }
        db.OutboxMessages.Add(new AccountOutboxMessage { AccountId = accountId, Kind = kind, Address = address });
        await db.SaveChangesAsync(ct);
    }

    private static ProblemException LinkRefused() =>
        ProblemException.Validation(new Dictionary<string, string[]> { ["token"] = [InvalidLink] });

    private static ProblemException TakenAddress() => ProblemException.Conflict("An account with this email already exists.");
}
