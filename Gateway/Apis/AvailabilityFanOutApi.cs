using System.Globalization;
using System.Net;
using System.Text.Json;
using ClinicBooking.Gateway.Routing;
using Microsoft.AspNetCore.Http.HttpResults;
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

    public sealed record SearchResponse(
        IReadOnlyList<JsonElement> Items, string? NextCursor, bool Partial, IReadOnlyList<string> UnavailableCells);

    public sealed record NextAvailableResponse(JsonElement? Slot, bool Partial, IReadOnlyList<string> UnavailableCells);

    private sealed record Answer(int Status, JsonElement? Body, SearchResponse? Search, NextAvailableResponse? Next);

    private static readonly HybridCacheEntryOptions CacheOptions = new()
    {
        Expiration = SearchCacheDuration,
        LocalCacheExpiration = SearchCacheDuration,
    };

    public static IEndpointRouteBuilder MapAvailabilityFanOutApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/availability").WithTags("Availability");
        api.MapGet("/search", Search);
        api.MapGet("/next", Next);
        return app;
    }

    public static async Task<IResult> Search(HttpRequest request, CellFanOut cells, ShardMap shards, HybridCache cache,
        CancellationToken ct, long? clinicId = null, int limit = DefaultLimit)
    {
        var answer = await CachedAsync(cache, "search" + request.QueryString, async token =>
        {
            if (Targets(shards, clinicId) is not { } targets)
            {
                return new Answer(404, null, new SearchResponse([], null, false, []), null);
            }
            var answers = await cells.GetAllAsync(targets, "/availability/search" + request.QueryString, token);
            if (answers.FirstOrDefault(a => a.Status == HttpStatusCode.BadRequest) is { } refused)
            {
                return new Answer(400, refused.Body, null, null);
            }
            var answered = answers.Where(a => a.Succeeded).ToList();
            var merged = answered
                .SelectMany(a => a.Body.GetProperty("items").EnumerateArray())
                .OrderBy(StartsAt).ThenBy(s => s.GetProperty("id").GetInt64())
                .ToList();
            var page = merged.Take(limit).ToList();
            var more = merged.Count > limit || answered.Any(a => a.Body.GetProperty("nextCursor").ValueKind == JsonValueKind.String);
            var next = more && page.Count > 0 ? AvailabilityCursor.Format(StartsAt(page[^1]), page[^1].GetProperty("id").GetInt64()) : null;
            var unavailable = answers.Except(answered).Select(a => a.Cell).ToList();
            return new Answer(200, null, new SearchResponse(page, next, unavailable.Count > 0, unavailable), null);
        }, ct);

        return answer.Status switch
        {
            200 => TypedResults.Ok(answer.Search),
            400 => TypedResults.Json(answer.Body, statusCode: 400, contentType: "application/problem+json"),
            _ => Problems.NotFound($"Clinic {clinicId} does not exist."),
        };
    }

    /// <summary>The earliest free slot matching the filter over all clinics (slot is null when none matches).</summary>
    public static async Task<IResult> Next(HttpRequest request, CellFanOut cells, ShardMap shards, HybridCache cache,
        CancellationToken ct, long? clinicId = null)
    {
        var answer = await CachedAsync(cache, "next" + request.QueryString, async token =>
        {
            if (Targets(shards, clinicId) is not { } targets)
            {
                return new Answer(404, null, null, null);
            }
            var answers = await cells.GetAllAsync(targets, "/availability/next" + request.QueryString, token);
            if (answers.FirstOrDefault(a => a.Status == HttpStatusCode.BadRequest) is { } refused)
            {
                return new Answer(400, refused.Body, null, null);
            }
            var answered = answers.Where(a => a.Succeeded).ToList();
            var earliest = answered
                .Where(a => a.Status == HttpStatusCode.OK)
                .Select(a => a.Body)
                .OrderBy(StartsAt).ThenBy(s => s.GetProperty("id").GetInt64())
                .Cast<JsonElement?>()
                .FirstOrDefault();
            var unavailable = answers.Except(answered).Select(a => a.Cell).ToList();
            return new Answer(200, null, null, new NextAvailableResponse(earliest, unavailable.Count > 0, unavailable));
        }, ct);

        return answer.Status switch
        {
            200 => TypedResults.Ok(answer.Next),
            400 => TypedResults.Json(answer.Body, statusCode: 400, contentType: "application/problem+json"),
            _ => Problems.NotFound($"Clinic {clinicId} does not exist."),
        };
    }

    /// <summary>Every cell, or only the one owning <paramref name="clinicId"/>; null when that clinic cannot exist.</summary>
    private static IReadOnlyList<string>? Targets(ShardMap shards, long? clinicId) =>
        clinicId is not { } id ? shards.Cells
        : ClinicIds.ShardOf(id, scoped: false) is { } shard && shards.CellOf(shard) is { } cell ? [cell]
        : null;

    private static DateTimeOffset StartsAt(JsonElement slot) =>
        DateTimeOffset.Parse(slot.GetProperty("startsAt").GetString()!, CultureInfo.InvariantCulture);

    private static async Task<Answer> CachedAsync(HybridCache cache, string key, Func<CancellationToken, Task<Answer>> factory, CancellationToken ct)
    {
        var answer = await cache.GetOrCreateAsync($"gateway:{key}", async token => await factory(token), CacheOptions, cancellationToken: ct);
        if (answer.Search?.Partial == true || answer.Next?.Partial == true || answer.Status != 200)
        {
            await cache.RemoveAsync($"gateway:{key}", ct); // never serve a partial answer to the next reader
        }
        return answer;
    }
}
