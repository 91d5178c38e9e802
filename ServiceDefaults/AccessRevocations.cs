using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using ClinicBooking.Contracts;
using ClinicBooking.Contracts.Access;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace ClinicBooking.ServiceDefaults;

/// <summary>
/// Access that was taken away, checked on every request by every API, so it ends within seconds rather than
/// at the token's expiry. Two facts live in Redis, written where the decision is made:
/// <list type="bullet">
/// <item>an account's current access stamp (<c>access:stamp:{sub}</c>), written by IdentityService whenever
/// it takes access away (a clinic removed from a staff account, a password change, a lock): a token carrying
/// another stamp (<see cref="ClaimNames.AccessStamp"/>) was issued before and is refused;</item>
/// <item>a deactivated customer (<c>access:inactive-customer:{id}</c>), written by CustomerService when it
/// deactivates one and removed when it reactivates them: their tokens are refused;</item>
/// <item>a token or grant revoked by its client at <c>/connect/revoke</c> (<c>access:revoked:{id}</c>, RFC 7009),
/// written by IdentityService: an access token is refused by its own id (<see cref="ClaimNames.TokenId"/>), and
/// every access token of a grant whose refresh token was revoked by the grant's (<see cref="ClaimNames.GrantId"/>),
/// so signing out one device ends that device's access and no other.</item>
/// </list>
/// Each process remembers what it read for <see cref="RecheckAfter"/>, so a revocation takes effect within
/// about a second everywhere. The keys live as long as a token can (<see cref="Retention"/>); IdentityService
/// refuses new tokens from its own database, so they are only needed for tokens already out. When Redis does
/// not answer, tokens are accepted (a cache outage must not sign everyone out) and the outage is logged.
/// </summary>
public sealed class AccessRevocations(IConnectionMultiplexer redis, ILogger<AccessRevocations> logger)
{
    public static readonly TimeSpan RecheckAfter = TimeSpan.FromSeconds(1);

    /// <summary>How long a revocation is kept: longer than any access token lives (IdentityService's lifetime setting is at most this).</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    private readonly MemoryCache _recent = new(new MemoryCacheOptions { SizeLimit = 100_000 });

    private static RedisKey StampKey(string subject) => $"access:stamp:{subject}";

    private static RedisKey CustomerKey(long customerId) => $"access:inactive-customer:{customerId}";

    private static RedisKey RevokedKey(string tokenOrGrantId) => $"access:revoked:{tokenOrGrantId}";

    /// <summary>The stamp a token of the account carries: a digest of its security stamp (which it does not reveal).</summary>
    public static string StampOf(string securityStamp) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(securityStamp)))[..16];

    /// <summary>From now on only tokens with <paramref name="stamp"/> are the account's (IdentityService).</summary>
    public Task RevokeOlderTokensAsync(string subject, string stamp) =>
        WriteAsync(db => db.StringSetAsync(StampKey(subject), stamp, Retention), subject);

    /// <summary>
    /// A token was just issued with <paramref name="stamp"/>: if a revocation is on record for the account, it
    /// names this stamp from now on (the security stamp may have moved on for reasons of its own since).
    /// </summary>
    public Task RecordIssuedAsync(string subject, string stamp) =>
        WriteAsync(db => db.StringSetAsync(StampKey(subject), stamp, Retention, when: When.Exists), subject);

    /// <summary>The customer's tokens stop working (deactivated), or work again (reactivated): CustomerService.</summary>
    public Task SetCustomerInactiveAsync(long customerId, bool inactive) => inactive
        ? WriteAsync(db => db.StringSetAsync(CustomerKey(customerId), "1", Retention), $"customer {customerId}")
        : WriteAsync(db => db.KeyDeleteAsync(CustomerKey(customerId)), $"customer {customerId}");

    /// <summary>One token (its id), or every access token of a grant (the grant's id), stops working: IdentityService.</summary>
    public Task RevokeTokenOrGrantAsync(string tokenOrGrantId) =>
        WriteAsync(db => db.StringSetAsync(RevokedKey(tokenOrGrantId), "1", Retention), $"token or grant {tokenOrGrantId}");

    /// <summary>
    /// Written after the decision is committed, so a Redis failure must not fail the request: the decision
    /// stands (no new tokens), and the tokens already out expire by themselves. It is logged as an error.
    /// </summary>
    private async Task WriteAsync(Func<IDatabase, Task> write, string whose)
    {
        try
        {
            await write(redis.GetDatabase());
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            logger.LogError(ex, "The revocation of {Whose}'s tokens could not be written; they work until they expire", whose);
        }
    }

    /// <summary>Whether the signed-in caller's access was taken away after their token was issued.</summary>
    public async ValueTask<bool> IsRevokedAsync(ClaimsPrincipal user)
    {
        var subject = user.FindFirst(ClaimNames.Subject)?.Value;
        if (subject is null)
        {
            return false;
        }
        var customerId = user.FindFirst(ClaimNames.CustomerId)?.Value;
        var tokenId = user.FindFirst(ClaimNames.TokenId)?.Value;
        var grantId = user.FindFirst(ClaimNames.GrantId)?.Value;
        var cacheKey = $"{subject}|{customerId}|{tokenId}|{grantId}";
        if (!_recent.TryGetValue(cacheKey, out (string? Stamp, bool Revoked) state))
        {
            try
            {
                // One round trip: the stamp first, then whichever of the other three the token names.
                List<RedisKey> keys = [StampKey(subject)];
                if (long.TryParse(customerId, out var id))
                {
                    keys.Add(CustomerKey(id));
                }
                if (tokenId is not null)
                {
                    keys.Add(RevokedKey(tokenId));
                }
                if (grantId is not null)
                {
                    keys.Add(RevokedKey(grantId));
                }
                var values = await redis.GetDatabase().StringGetAsync([.. keys]);
                state = (values[0].IsNull ? null : values[0].ToString(), values.Skip(1).Any(v => !v.IsNull));
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                logger.LogWarning(ex, "Access revocations could not be read; the token is accepted as validated");
                return false;
            }
            _recent.Set(cacheKey, state, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = RecheckAfter });
        }
        return state.Revoked || (state.Stamp is not null && state.Stamp != user.FindFirst(ClaimNames.AccessStamp)?.Value);
    }
}

public static class RedisConnection
{
    /// <summary>
    /// The Aspire Redis client (connection string <see cref="ResourceNames.Redis"/>), shared by the cache and the
    /// access revocations: it gives up after 500 ms and never blocks start-up. No health check: Redis being
    /// away is no reason to take a service out of rotation. Commands are not traced (see RedisCaching).
    /// </summary>
    public static IHostApplicationBuilder AddRedisConnection(this IHostApplicationBuilder builder)
    {
        builder.AddRedisClient(ResourceNames.Redis, settings =>
        {
            settings.DisableHealthChecks = true;
            settings.DisableTracing = true;
        }, options =>
        {
            options.AbortOnConnectFail = false;
            options.ConnectTimeout = 1000;
            options.AsyncTimeout = 500;
            options.SyncTimeout = 500;
            options.ConnectRetry = 1;
        });
        builder.Services.AddSingleton<AccessRevocations>();
        return builder;
    }
}
