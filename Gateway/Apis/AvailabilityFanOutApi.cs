using System.Text.Json;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Gateway.Routing;
using ClinicBooking.ServiceDefaults;
using Microsoft.Extensions.Caching.Hybrid;

namespace ClinicBooking.Gateway.Apis;

/// <summary>
/// Free slots across all clinics: each cell answers for its own shards in parallel, the gateway merges by
/// start time. With a clinicId only the owning cell is asked. Complete answers are cached here for
/// <see cref="SearchCacheDuration"/>, the bound on how long a search can lag a change; partial ones never are.
/// </summary>
public static class AvailabilityFanOutApi
{
    public static readonly TimeSpan SearchCacheDuration = TimeSpan.FromSeconds(2);
    private const int DefaultLimit = 50;

    /// <summary>What a fan-out found: a response (200), the cells' refusal (400), or no such clinic (404).</summary>
    private sealed record Answer<T>(int Status, T? Response, JsonElement? Refusal, bool Partial);

    private static readonly HybridCacheEntryOptions CacheOptions = new()
    {
        Expiration = SearchCacheDuration,
        LocalCacheExpiration = SearchCacheDuration,
    };

    public static IEndpointRouteBuilder MapAvailabilityFanOutApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/availability").WithTags("Availability").AllowAnonymous();
        api.MapGet("/search", Search).WithName("SearchAvailability")
            .WithSummary("Search free slots across all clinics")
            .Produces<SearchResponse>();
        api.MapGet("/next", Next).WithName("NextAvailableSlot")
            .WithSummary("The earliest free slot across all clinics")
            .WithDescription("slot is null when no free slot matches; partial says whether some cell did not answer.")
            .Produces<NextAvailableResponse>();
        return app;
    }

    /// <summary>What a fan-out takes: the request (its query goes to the cells as it is), the cells, the cache.</summary>
    public sealed record FanOut(HttpRequest Request, CellFanOut Cells, ShardMap Shards, HybridCache Cache, RecentWrites Writes);

    public static Task<IResult> Search([AsParameters] FanOut fanOut, CancellationToken ct, long? clinicId = null, int limit = DefaultLimit) =>
        FanOutAsync<AvailabilityPage, SearchResponse>(fanOut, clinicId, "/availability/search", SearchParameters,
            (pages, unavailable) =>
            {
                var merged = AvailabilityPage.From(Keyset.Merge(pages.Select(p => p.AsKeyset()).ToList(), AvailabilityPage.Key, limit));
                return new SearchResponse(merged.Items, merged.NextCursor, unavailable.Count > 0, unavailable);
            }, ct);

    /// <summary>The earliest free slot matching the filter over all clinics (slot is null when none matches).</summary>
    public static Task<IResult> Next([AsParameters] FanOut fanOut, CancellationToken ct, long? clinicId = null) =>
        FanOutAsync<AvailableSlot, NextAvailableResponse>(fanOut, clinicId, "/availability/next", NextParameters,
            (slots, unavailable) =>
            {
                var earliest = Keyset.Merge(slots.Select(s => new KeysetPage<AvailableSlot>([s], false)).ToList(), AvailabilityPage.Key, 1);
                return new NextAvailableResponse(earliest.Items.FirstOrDefault(), unavailable.Count > 0, unavailable);
            }, ct);

    /// <summary>
    /// Asks the target cells, merges what they answered, and caches a complete answer for
    /// <see cref="SearchCacheDuration"/>: a partial one, or a refusal, is never served to the next reader. A caller
    /// who has just written (booked, cancelled) is answered past the cache, which may hold an answer from before
    /// their write; the cells then read for them what holds it (read-your-writes).
    /// </summary>
    private static async Task<IResult> FanOutAsync<TCell, TResponse>(FanOut fanOut, long? clinicId, string path, string[] parameters,
        Func<List<TCell>, List<string>, TResponse> merge, CancellationToken ct)
    {
        var pathAndQuery = path + CanonicalQuery(fanOut.Request.Query, parameters);
        async ValueTask<Answer<TResponse>> AskAsync(CancellationToken token)
        {
            if (Targets(fanOut.Shards, clinicId) is not { } targets)
            {
                return new Answer<TResponse>(StatusCodes.Status404NotFound, default, null, false);
            }
            var answers = await fanOut.Cells.GetAllAsync<TCell>(targets, pathAndQuery, token);
            if (answers.Refusal() is { } refusal)
            {
                return new Answer<TResponse>(StatusCodes.Status400BadRequest, default, refusal, false);
            }
            var unavailable = answers.Unavailable();
            return new Answer<TResponse>(StatusCodes.Status200OK, merge(answers.Values(), unavailable), null, unavailable.Count > 0);
        }

        var key = $"gateway:{pathAndQuery}";
        Answer<TResponse> answer;
        if (await fanOut.Writes.LastAsync(Caller.From(fanOut.Request.HttpContext.User).Subject) is not null)
        {
            answer = await AskAsync(ct);
        }
        else
        {
            answer = await fanOut.Cache.GetOrCreateAsync(key, AskAsync, CacheOptions, cancellationToken: ct);
            if (answer.Partial || answer.Status != StatusCodes.Status200OK)
            {
                await fanOut.Cache.RemoveAsync(key, ct);
            }
        }

        return answer.Status switch
        {
            StatusCodes.Status200OK => TypedResults.Ok(answer.Response),
            StatusCodes.Status400BadRequest => TypedResults.Json(answer.Refusal, statusCode: StatusCodes.Status400BadRequest,
                contentType: "application/problem+json"),
            _ => Problems.NotFound($"Clinic {clinicId} does not exist."),
        };
    }

    public static readonly string[] SearchParameters = ["date", "from", "to", "specialization", "clinicId", "mode", "after", "limit"];
    public static readonly string[] NextParameters = ["specialization", "clinicId", "from", "mode"];

    /// <summary>
    /// The query the cells get and the cache is keyed by: only the parameters the operation takes, in one order,
    /// the specialization in lower case (the cells compare it so). Anything else a client adds (<c>&amp;x=1</c>) is
    /// dropped: it would otherwise make every request a cache miss, and each miss a fan-out to every cell.
    /// </summary>
    public static QueryString CanonicalQuery(IQueryCollection query, string[] parameters) =>
        QueryString.Create(parameters
            .Where(name => query.ContainsKey(name))
            .SelectMany(name => query[name].Select(value => KeyValuePair.Create(name,
                name == "specialization" ? value?.Trim().ToLowerInvariant() : value))));

    /// <summary>Every cell, or only the one owning <paramref name="clinicId"/>; null when that clinic cannot exist.</summary>
    private static IReadOnlyList<string>? Targets(ShardMap shards, long? clinicId) =>
        clinicId is not { } id ? shards.Cells
        : ClinicIds.ShardOf(id, scoped: false) is { } shard && shards.CellOf(shard) is { } cell ? [cell]
        : null;
}
