using System.Security.Cryptography;
using System.Text;
using ClinicBooking.IdentityService.Data;
using Microsoft.AspNetCore.Identity;
using StackExchange.Redis;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>
/// Whether an account may have tokens, and taking them away. One place decides for every way in (password,
/// the login page, the code flow's session, refresh): the account exists, is not locked by an administrator,
/// and, for a customer, their customer record is active. <see cref="RevokeAsync"/> ends every token issued
/// before (access tokens within about a second, through <see cref="AccessRevocations"/>; refresh tokens and
/// the sign-in cookie at their next use, through the security stamp).
/// </summary>
public sealed class AccountAccess(UserManager<Account> accounts, CustomerDirectory customers, AccessRevocations revocations)
{
    /// <summary>Why the account may not have tokens now, or null when it may.</summary>
    public async Task<string?> RefusalAsync(Account account, CancellationToken ct)
    {
        if (await accounts.IsLockedOutAsync(account))
        {
            return "The account is locked by an administrator.";
        }
        if (account.CustomerId is { } customerId)
        {
            switch (await customers.IsActiveAsync(customerId, ct))
            {
                case false: return "The customer record of this account is deactivated.";
                case null: return "The account's customer record cannot be checked right now; try again in a moment.";
            }
        }
        return null;
    }

    /// <summary>The access stamp of the account's tokens issued now.</summary>
    public static string StampOf(Account account) => AccessRevocations.StampOf(account.SecurityStamp ?? "");

    /// <summary>Every token issued before now stops working; the account signs in again for new ones.</summary>
    public async Task RevokeAsync(Account account)
    {
        ThrowIfFailed(await accounts.UpdateSecurityStampAsync(account));
        await revocations.RevokeOlderTokensAsync(account.Id, StampOf(account));
    }

    /// <summary>An administrator locks the account until unlocked: no sign-in, no refresh, and its tokens stop.</summary>
    public async Task LockAsync(Account account)
    {
        ThrowIfFailed(await accounts.SetLockoutEnabledAsync(account, true));
        ThrowIfFailed(await accounts.SetLockoutEndDateAsync(account, DateTimeOffset.MaxValue));
        await RevokeAsync(account);
    }

    public async Task UnlockAsync(Account account) =>
        ThrowIfFailed(await accounts.SetLockoutEndDateAsync(account, null));

    private static void ThrowIfFailed(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }
}

/// <summary>
/// Slows password guessing without handing anyone a way to lock the owner out (OWASP authentication and
/// credential-stuffing guidance). Failures are counted per account and source address: after
/// <see cref="PerAccountAndSource"/> within <see cref="Window"/> that address may not try that account again
/// until the window ends, while the owner at any other address signs in as usual; and per source address over
/// all accounts (<see cref="PerSource"/>), which stops one address spraying many accounts. An email without an
/// account is counted exactly like one with, so the answers never tell them apart. Counts live in Redis
/// (every IdentityService instance shares them); when Redis does not answer, the gateway's per-address limit
/// on sign-in requests still holds.
/// </summary>
public sealed class SignInThrottle(IConnectionMultiplexer redis, ILogger<SignInThrottle> logger)
{
    public const int PerAccountAndSource = 5;
    public const int PerSource = 50;
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(15);

    public const string Refusal = "Too many failed sign-ins from your address; try again in 15 minutes.";

    private static RedisKey AccountKey(string email, string source) =>
        $"signin:failures:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())))}:{source}";

    private static RedisKey SourceKey(string source) => $"signin:failures:source:{source}";

    public async Task<bool> IsThrottledAsync(string email, string source)
    {
        try
        {
            var counts = await redis.GetDatabase().StringGetAsync([AccountKey(email, source), SourceKey(source)]);
            return (long?)counts[0] >= PerAccountAndSource || (long?)counts[1] >= PerSource;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "The sign-in throttle could not be read");
            return false;
        }
    }

    public async Task FailedAsync(string email, string source)
    {
        try
        {
            var db = redis.GetDatabase();
            foreach (var key in new[] { AccountKey(email, source), SourceKey(source) })
            {
                if (await db.StringIncrementAsync(key) == 1)
                {
                    await db.KeyExpireAsync(key, Window);
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "A failed sign-in could not be counted");
        }
    }

    public async Task SucceededAsync(string email, string source)
    {
        try
        {
            await redis.GetDatabase().KeyDeleteAsync(AccountKey(email, source));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogWarning(ex, "A successful sign-in could not reset its failures");
        }
    }
}

/// <summary>
/// Checking an email and password, for the password grant and the login page alike: the throttle first, then
/// the password (an unknown email costs the same hashing), and only for the right password whether the
/// account may sign in, so a stranger learns nothing about an account from the answer.
/// </summary>
public sealed class PasswordCheck(UserManager<Account> accounts, SignInThrottle throttle, AccountAccess access)
{
    public sealed record Outcome(Account? Account, string? Error);

    /// <summary>
    /// A wrong password, an unknown address, and an account whose address is not verified yet all get this: a new
    /// account is not told apart from a stranger's attempt on an address someone else has (issue 26).
    /// </summary>
    public const string WrongCredentials =
        "The email or password is not right, or the account is not activated yet: follow the link in the mail we sent when you signed up.";

    public async Task<Outcome> CheckAsync(string? email, string? password, HttpContext context, CancellationToken ct)
    {
        email = email?.Trim() ?? "";
        var source = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (await throttle.IsThrottledAsync(email, source))
        {
            return new(null, SignInThrottle.Refusal);
        }
        var account = await accounts.FindByNameAsync(email);
        bool right;
        if (account is null)
        {
            // The same hashing work as a real check, so the answer's timing does not tell the two apart either.
            accounts.PasswordHasher.HashPassword(new Account { Name = "" }, password ?? "");
            right = false;
        }
        else
        {
            // Until its address is verified an account does not sign in, and the refusal is a wrong password's:
            // otherwise whoever signed up with someone's address could tell, by signing in, whether it was taken.
            right = await accounts.CheckPasswordAsync(account, password ?? "") && account.EmailConfirmed;
        }
        if (!right)
        {
            await throttle.FailedAsync(email, source);
            return new(null, WrongCredentials);
        }
        await throttle.SucceededAsync(email, source);
        return await access.RefusalAsync(account!, ct) is { } refusal ? new(null, refusal) : new(account, null);
    }
}
