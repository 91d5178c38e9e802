using System.Globalization;
using System.Security.Claims;
using ClinicBooking.IdentityService.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>Signing up as a customer, and the staff accounts of a clinic.</summary>
public static class AccountsApi
{
    public const int PasswordMaxLength = 128;

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/register", Register).WithTags("Accounts").WithName("Register")
            .AllowAnonymous().DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status503ServiceUnavailable);

        // Signed-in accounts change their own password; every token issued before stops working.
        app.MapPost("/account/password", ChangePassword).WithTags("Accounts").WithName("ChangePassword").DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status400BadRequest);

        // Administrators lock an account (no sign-in, its tokens stop) and unlock it.
        var accounts = app.MapGroup("/accounts/{accountId}/lock").WithTags("Accounts").Administrators().DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status404NotFound);
        accounts.MapPost("/", LockAccount).WithName("LockAccount");
        accounts.MapDelete("/", UnlockAccount).WithName("UnlockAccount");

        // The clinic's staff see who works there; only administrators appoint and remove them.
        var staff = app.MapGroup("/clinics/{clinicId:long}/staff").WithTags("Staff")
            .ClinicStaff("clinicId", scoped: false).DisableAntiforgery()
            .ProducesProblem(StatusCodes.Status404NotFound);
        staff.MapGet("/", ListStaff).WithName("ListStaff");
        staff.MapPost("/", AddStaff).WithName("AddStaff").Administrators().ProducesProblem(StatusCodes.Status409Conflict);
        staff.MapDelete("/{accountId}", RemoveStaff).WithName("RemoveStaff").Administrators();
        return app;
    }

    /// <summary>
    /// Signs a customer up, answering every address alike (202 with the address), so that a sign-up never tells
    /// whether an address has an account (OWASP's authentication guidance; issue 26). A new address gets its
    /// account, then the customer record in CustomerService, then the link between them, saved with the
    /// verification mail (the outbox): the account signs in once that mail's link is followed, which proves the
    /// address is the person's. If the customer cannot be created, the account is removed again: a sign-up either
    /// completes or leaves nothing behind. An address that has an account gets nothing created: its owner is told
    /// by mail (or, not verified yet, sent the verification link again). The password is checked first either
    /// way, so a short one is refused alike. (A customer record a clinic's desk made for the address is not taken
    /// over either; that answer is the same too.) What is left to tell them apart is the time a new account takes.
    /// </summary>
    public static async Task<Accepted<SignUpResponse>> Register(
        RegisterRequest request, UserManager<Account> accounts, AccountsDbContext db, CustomerDirectory customers, TimeProvider clock, CancellationToken ct)
    {
        var email = request.Email!.Trim();
        var account = new Account { Name = request.Name!.Trim(), UserName = email, Email = email, CreatedAt = clock.GetUtcNow() };
        foreach (var rule in accounts.PasswordValidators)
        {
            ThrowIfFailed(await rule.ValidateAsync(accounts, account, request.Password!));
        }
        var answer = TypedResults.Accepted((string?)null, new SignUpResponse(email));
        if (await accounts.FindByEmailAsync(email) is { } owner)
        {
            await TellOwnerAsync(db, owner, ct);
            return answer;
        }
        var created = await accounts.CreateAsync(account, request.Password!);
        if (!created.Succeeded && IsTaken(created) && await accounts.FindByEmailAsync(email) is { } first)
        {
            await TellOwnerAsync(db, first, ct); // another sign-up of this address got there a moment before
            return answer;
        }
        ThrowIfFailed(created);
        try
        {
            ThrowIfFailed(await accounts.AddToRoleAsync(account, Roles.Customer));
            account.CustomerId = await customers.CreateAsync(account.Name, email, request.Phone?.Trim(), ct);
            db.OutboxMessages.Add(new AccountOutboxMessage { AccountId = account.Id, Kind = AccountMessageKind.VerifyEmail });
            ThrowIfFailed(await accounts.UpdateAsync(account)); // saves the outbox row too, in one transaction
        }
        catch (Exception ex)
        {
            foreach (var unsaved in db.ChangeTracker.Entries<AccountOutboxMessage>().ToList())
            {
                unsaved.State = EntityState.Detached;
            }
            await accounts.DeleteAsync(account);
            // The address is a customer record's that a clinic's desk made: a sign-up does not take it over, and
            // the answer is a new address's all the same.
            if (ex is ProblemException { Status: StatusCodes.Status409Conflict })
            {
                return answer;
            }
            throw;
        }
        return answer;
    }

    /// <summary>A sign-up of an address that has an account: its owner hears of it, and nobody else.</summary>
    private static Task TellOwnerAsync(AccountsDbContext db, Account owner, CancellationToken ct) =>
        AccountEmailsApi.QueueAsync(db, owner.Id, owner.EmailConfirmed ? AccountMessageKind.AccountExists : AccountMessageKind.VerifyEmail, null, ct);

    private static bool IsTaken(IdentityResult result) =>
        result.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateEmail) or nameof(IdentityErrorDescriber.DuplicateUserName));

    /// <summary>
    /// The clinic's staff. Which other clinics each also works for is an administrator's business: the clinic's
    /// own staff see this clinic only.
    /// </summary>
    public static async Task<Ok<IReadOnlyList<StaffResponse>>> ListStaff(long clinicId, AccountsDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var value = clinicId.ToString(CultureInfo.InvariantCulture);
        var members = await db.UserClaims.Where(c => c.ClaimType == ClaimNames.ClinicId && c.ClaimValue == value)
            .Join(db.Users, c => c.UserId, a => a.Id, (_, a) => a)
            .OrderBy(a => a.Email)
            .ToListAsync(ct);
        var clinics = (await db.UserClaims.Where(c => c.ClaimType == ClaimNames.ClinicId && members.Select(m => m.Id).Contains(c.UserId))
                .Select(c => new { c.UserId, c.ClaimValue }).ToListAsync(ct))
            .ToLookup(c => c.UserId, c => long.Parse(c.ClaimValue!, CultureInfo.InvariantCulture));
        var administrator = Caller.From(user).IsAdministrator;
        return TypedResults.Ok<IReadOnlyList<StaffResponse>>([.. members.Select(m => m.ToStaffResponse(administrator ? clinics[m.Id] : [clinicId]))]);
    }

    /// <summary>
    /// Creates a staff account for the clinic, or gives an existing staff account (same email) this clinic too.
    /// Administrators only: staff do not appoint staff.
    /// </summary>
    public static async Task<Results<Created<StaffResponse>, Ok<StaffResponse>>> AddStaff(
        long clinicId, CreateStaffRequest request, UserManager<Account> accounts,
        ClinicDirectory clinics, TimeProvider clock, CancellationToken ct)
    {
        if (!ClinicIds.IsClinicId(clinicId))
        {
            throw ProblemException.NotFound($"Clinic {clinicId} does not exist.");
        }
        await clinics.EnsureExistsAsync(clinicId, ct);
        var email = request.Email!.Trim();
        var clinicClaim = new Claim(ClaimNames.ClinicId, clinicId.ToString(CultureInfo.InvariantCulture));

        var account = await accounts.FindByEmailAsync(email);
        if (account is not null)
        {
            if (!await accounts.IsInRoleAsync(account, Roles.Staff))
            {
                throw ProblemException.Conflict($"{email} belongs to an account that is not clinic staff.");
            }
            var claims = await accounts.GetClaimsAsync(account);
            if (!claims.Any(c => c.Type == clinicClaim.Type && c.Value == clinicClaim.Value))
            {
                ThrowIfFailed(await accounts.AddClaimAsync(account, clinicClaim));
            }
            return TypedResults.Ok(account.ToStaffResponse(await ClinicsOfAsync(accounts, account)));
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["password"] = ["A new staff account needs a password."] });
        }
        // An administrator vouches for a staff member's address: no verification mail.
        account = new Account { Name = request.Name!.Trim(), UserName = email, Email = email, EmailConfirmed = true, CreatedAt = clock.GetUtcNow() };
        ThrowIfFailed(await accounts.CreateAsync(account, request.Password));
        try
        {
            ThrowIfFailed(await accounts.AddToRoleAsync(account, Roles.Staff));
            ThrowIfFailed(await accounts.AddClaimAsync(account, clinicClaim));
        }
        catch
        {
            await accounts.DeleteAsync(account);
            throw;
        }
        return TypedResults.Created($"/clinics/{clinicId}/staff/{account.Id}", account.ToStaffResponse([clinicId]));
    }

    /// <summary>
    /// Changes the signed-in account's password (the current one proves it is the person, not a stolen
    /// token alone); every token and session issued before stops working, this request's included.
    /// </summary>
    public static async Task<NoContent> ChangePassword(
        ChangePasswordRequest request, ClaimsPrincipal user, UserManager<Account> accounts, AccountAccess access)
    {
        var account = await SignedInAsync(user, accounts);
        var result = await accounts.ChangePasswordAsync(account, request.CurrentPassword!, request.NewPassword!);
        if (result.Errors.Any(e => e.Code == nameof(IdentityErrorDescriber.PasswordMismatch)))
        {
            throw ProblemException.Validation(new Dictionary<string, string[]> { ["currentPassword"] = ["The current password is not right."] });
        }
        ThrowIfFailed(result);
        await access.RevokeAsync(account);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> LockAccount(string accountId, UserManager<Account> accounts, AccountAccess access)
    {
        await access.LockAsync(await accounts.FindByIdAsync(accountId) ?? throw ProblemException.NotFound($"Account {accountId} does not exist."));
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> UnlockAccount(string accountId, UserManager<Account> accounts, AccountAccess access)
    {
        await access.UnlockAsync(await accounts.FindByIdAsync(accountId) ?? throw ProblemException.NotFound($"Account {accountId} does not exist."));
        return TypedResults.NoContent();
    }

    /// <summary>Takes the clinic away from a staff account (idempotent); its tokens stop working within a second.</summary>
    public static async Task<NoContent> RemoveStaff(
        long clinicId, string accountId, UserManager<Account> accounts, AccountAccess access)
    {
        var account = await accounts.FindByIdAsync(accountId) ?? throw ProblemException.NotFound($"Account {accountId} does not exist.");
        var value = clinicId.ToString(CultureInfo.InvariantCulture);
        foreach (var claim in (await accounts.GetClaimsAsync(account)).Where(c => c.Type == ClaimNames.ClinicId && c.Value == value))
        {
            ThrowIfFailed(await accounts.RemoveClaimAsync(account, claim));
        }
        // Tokens already issued name the clinic: they stop working; a new sign-in no longer names it.
        await access.RevokeAsync(account);
        return TypedResults.NoContent();
    }

    /// <summary>The account of the token's subject (403 when it is gone).</summary>
    internal static async Task<Account> SignedInAsync(ClaimsPrincipal user, UserManager<Account> accounts) =>
        await accounts.FindByIdAsync(user.FindFirst(ClaimNames.Subject)?.Value ?? "") ?? throw Access.Forbidden();

    private static async Task<IEnumerable<long>> ClinicsOfAsync(UserManager<Account> accounts, Account account) =>
        (await accounts.GetClaimsAsync(account)).Where(c => c.Type == ClaimNames.ClinicId)
            .Select(c => long.Parse(c.Value, CultureInfo.InvariantCulture));

    /// <summary>Identity's refusals as a problem: a taken email is a conflict, everything else a field error.</summary>
    private static void ThrowIfFailed(IdentityResult result)
    {
        if (result.Succeeded)
        {
            return;
        }
        if (IsTaken(result))
        {
            throw ProblemException.Conflict("An account with this email already exists.");
        }
        throw ProblemException.Validation(result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password" : e.Code.Contains("Email") ? "email" : "account")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray()));
    }
}
