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

    /// <summary>
    /// A customer's booking attempts (<c>PUT /bookingSlots/{id}/booking</c>), by account: each attempt that holds a
    /// slot draws a row id from its shard's finite budget (README: the id budget), and a book-then-cancel loop
    /// must not drain it.
    /// </summary>
    public Window BookingAttempts { get; set; } = new() { PermitLimit = 60, Seconds = 3600 };

    /// <summary>
    /// The key the web app proves itself with when it names its visitor's address (<see cref="VisitorAddress"/>):
    /// its requests then count against each visitor, not against the web app. Unset: nobody's is trusted.
    /// </summary>
    public string? ForwarderKey { get; set; }

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
    /// <summary>The web app's visitor's address, sent with <see cref="VisitorKeyHeader"/>.</summary>
    public const string VisitorAddressHeader = "X-Visitor-Address";

    /// <summary>The web app's key (<see cref="RateLimitOptions.ForwarderKey"/>): only with it is the visitor's address believed.</summary>
    public const string VisitorKeyHeader = "X-Visitor-Key";

    /// <summary>The partition of a request: which client it counts against, and that client's limit.</summary>
    public static RateLimitPartition<string> PartitionOf(HttpContext context, RateLimitOptions options)
    {
        var path = context.Request.Path;
        var address = VisitorAddress(context, options) ?? context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        // Password guesses, and "forgot password" (each may send a mail): the sign-in limit per address.
        if (path.StartsWithSegments("/connect/token") || (path.StartsWithSegments("/account/login") && HttpMethods.IsPost(context.Request.Method))
            || path.StartsWithSegments("/account/password/forgot"))
        {
            return Window($"sign-in:{address}", options.SignIn);
        }
        if (path.StartsWithSegments("/account/register"))
        {
            return Window($"sign-up:{address}", options.SignUp);
        }
        var caller = Caller.From(context.User);
        if (caller.CustomerId is not null && HttpMethods.IsPut(context.Request.Method)
            && path.StartsWithSegments("/bookingSlots") && path.Value!.EndsWith("/booking", StringComparison.Ordinal))
        {
            return Window($"bookings:{caller.Subject}", options.BookingAttempts);
        }
        return caller.Subject is { } subject
            ? Bucket($"user:{subject}", options.PerUser)
            : Bucket($"client:{address}", options.PerClient);
    }

    /// <summary>
    /// The address of the person behind the web app, when the request is the web app's: every visitor of the
    /// web app would otherwise share its one address, and one busy visitor would use up everybody's limit.
    /// Anyone else who sends the header is ignored (they do not have the key).
    /// </summary>
    public static string? VisitorAddress(HttpContext context, RateLimitOptions options)
    {
        if (options.ForwarderKey is not { Length: > 0 } key
            || context.Request.Headers[VisitorKeyHeader].ToString() is not { Length: > 0 } sent
            || !System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(
                System.Text.Encoding.UTF8.GetBytes(sent), System.Text.Encoding.UTF8.GetBytes(key)))
        {
            return null;
        }
        return System.Net.IPAddress.TryParse(context.Request.Headers[VisitorAddressHeader].ToString(), out var visitor)
            ? $"visitor:{visitor}"
            : null;
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
