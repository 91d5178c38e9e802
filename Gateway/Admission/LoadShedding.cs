using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace ClinicBooking.Gateway.Admission;

/// <summary>
/// How many requests of each kind the gateway works on at once, and how many more may wait for a turn.
/// Beyond that, a request is shed at once with a 503 problem and <c>Retry-After</c>, so the requests that are
/// admitted keep a bounded latency however many clients arrive. Shedding happens before a request is
/// forwarded: a shed booking has done nothing, and a retry with the same <c>Idempotency-Key</c> books once.
/// </summary>
public sealed class AdmissionOptions
{
    public const string Section = "Admission";

    /// <summary>Requests that ask every cell (the clinic list, search, next available, shards).</summary>
    public ConcurrencyLimit FanOut { get; set; } = new() { PermitLimit = 32, QueueLimit = 32 };

    /// <summary>Bookings: each is a saga across services, the most expensive request there is.</summary>
    public ConcurrencyLimit Bookings { get; set; } = new() { PermitLimit = 32, QueueLimit = 32 };

    /// <summary>Every other API request.</summary>
    public ConcurrencyLimit Other { get; set; } = new() { PermitLimit = 128, QueueLimit = 128 };

    /// <summary>What a shed request's Retry-After says.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    public sealed class ConcurrencyLimit
    {
        public int PermitLimit { get; set; }

        public int QueueLimit { get; set; }
    }
}

public static class LoadShedding
{
    public static IHostApplicationBuilder AddLoadShedding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>().BindConfiguration(AdmissionOptions.Section);
        builder.Services.AddOptions<RateLimitOptions>().BindConfiguration(RateLimitOptions.Section);
        builder.Services.AddRateLimiter(limiter =>
        {
            // First the client's own limit (429: this client sends too much), then the gateway's capacity
            // (503: everyone together sends too much). A request refused by either is not forwarded.
            var perClient = PartitionedRateLimiter.Create<HttpContext, string>(context => IsProbe(context.Request.Path)
                ? RateLimitPartition.GetNoLimiter("probes")
                : ClientRateLimits.PartitionOf(context, context.RequestServices.GetRequiredService<IOptions<RateLimitOptions>>().Value));
            var capacity = PartitionedRateLimiter.Create<HttpContext, string>(context =>
            {
                var options = context.RequestServices.GetRequiredService<IOptions<AdmissionOptions>>().Value;
                return KindOf(context.Request) switch
                {
                    RequestKind.Operations => RateLimitPartition.GetNoLimiter("operations"),
                    RequestKind.FanOut => Concurrency("fan-out", options.FanOut),
                    RequestKind.Booking => Concurrency("bookings", options.Bookings),
                    _ => Concurrency("other", options.Other),
                };
            });
            limiter.GlobalLimiter = PartitionedRateLimiter.CreateChained(perClient, capacity);
            limiter.OnRejected = async (context, ct) =>
            {
                var http = context.HttpContext;
                // Only the client limits (token bucket, window) say when a permit comes back.
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait))
                {
                    var seconds = Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));
                    http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                    await http.WriteProblemAsync(StatusCodes.Status429TooManyRequests, "Too many requests",
                        $"This client has sent more requests than its limit allows; nothing was done. Retry in {seconds} s.");
                    return;
                }
                var retryAfter = http.RequestServices.GetRequiredService<IOptions<AdmissionOptions>>().Value.RetryAfterSeconds;
                http.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
                await http.WriteProblemAsync(StatusCodes.Status503ServiceUnavailable, "Too busy",
                    "The gateway has more requests of this kind than it can answer in time; nothing was done. " +
                    $"Retry in {retryAfter} s (a booking with the same Idempotency-Key books at most once).");
            };
        });
        return builder;
    }

    private static RateLimitPartition<string> Concurrency(string kind, AdmissionOptions.ConcurrencyLimit limit) =>
        RateLimitPartition.GetConcurrencyLimiter(kind, _ => new ConcurrencyLimiterOptions
        {
            PermitLimit = limit.PermitLimit,
            QueueLimit = limit.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });

    private enum RequestKind { Operations, FanOut, Booking, Other }

    private static bool IsProbe(PathString path) => path.StartsWithSegments("/health") || path.StartsWithSegments("/alive");

    private static RequestKind KindOf(HttpRequest request)
    {
        var path = request.Path;
        if (IsProbe(path) || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/scalar"))
        {
            return RequestKind.Operations;
        }
        if (HttpMethods.IsGet(request.Method) && (path.Equals("/clinics") || path.Equals("/clinics/") || path.Equals("/shards")
            || path.StartsWithSegments("/availability/search") || path.StartsWithSegments("/availability/next")))
        {
            return RequestKind.FanOut;
        }
        if (HttpMethods.IsPut(request.Method) && path.StartsWithSegments("/bookingSlots")
            && path.Value!.EndsWith("/booking", StringComparison.Ordinal))
        {
            return RequestKind.Booking;
        }
        return RequestKind.Other;
    }
}
