using System.Threading.RateLimiting;
using ClinicBooking.Contracts.Access;

namespace ClinicBooking.Gateway.Admission;

/// <summary>
/// How many requests one client may send: per signed-in user (the token's subject), else per client address;
/// stricter on the token endpoint and on sign-up, where each try costs a password hash and guessing is the
/// attack. Over the limit a request gets 429 with <c>Retry-After</c>, before anything is forwarded.
/// </summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimits";

    /// <summary>A signed-in user, whatever address they call from.</summary>
    public TokenBucket PerUser { get; set; } = new() { TokenLimit = 300, TokensPerSecond = 50 };

    /// <summary>An anonymous caller, by address.</summary>
    public TokenBucket PerClient { get; set; } = new() { TokenLimit = 200, TokensPerSecond = 20 };

    /// <summary><c>/connect/token</c> and the login form, by address.</summary>
    public Window SignIn { get; set; } = new() { PermitLimit = 20, Seconds = 60 };

    /// <summary><c>/account/register</c>, by address.</summary>
    public Window SignUp { get; set; } = new() { PermitLimit = 10, Seconds = 60 };

    public sealed class TokenBucket
    {
        /// <summary>The burst a client may send at once.</summary>
        public int TokenLimit { get; set; }

        /// <summary>The rate it may keep up.</summary>
        public int TokensPerSecond { get; set; }
    }

    public sealed class Window
    {
        public int PermitLimit { get; set; }

        public int Seconds { get; set; }
    }
}

public static class ClientRateLimits
{
    /// <summary>The partition of a request: which client it counts against, and that client's limit.</summary>
    public static RateLimitPartition<string> PartitionOf(HttpContext context, RateLimitOptions options)
    {
        var path = context.Request.Path;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        if (path.StartsWithSegments("/connect/token") || (path.StartsWithSegments("/account/login") && HttpMethods.IsPost(context.Request.Method)))
        {
            return Window($"sign-in:{address}", options.SignIn);
        }
        if (path.StartsWithSegments("/account/register"))
        {
            return Window($"sign-up:{address}", options.SignUp);
        }
        var caller = Caller.From(context.User);
        return caller.Subject is { } subject
            ? Bucket($"user:{subject}", options.PerUser)
            : Bucket($"client:{address}", options.PerClient);
    }

    private static RateLimitPartition<string> Window(string key, RateLimitOptions.Window limit) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            Window = TimeSpan.FromSeconds(limit.Seconds),
            QueueLimit = 0,
        });

    private static RateLimitPartition<string> Bucket(string key, RateLimitOptions.TokenBucket limit) =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = limit.TokenLimit,
            TokensPerPeriod = limit.TokensPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
        });
}
