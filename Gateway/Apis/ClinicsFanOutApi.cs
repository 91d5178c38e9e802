using System.Text.Json;
using ClinicBooking.Gateway.Routing;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ClinicBooking.Gateway.Apis;

/// <summary>
/// The clinic requests that no single cell can answer: the list of all clinics (fan-out, merged by id) and
/// the creation of a clinic (placement on a shard).
/// </summary>
public static class ClinicsFanOutApi
{
    /// <summary>Every shard and how many active clinics it holds; <see cref="Partial"/> when a cell did not answer.</summary>
    public sealed record ShardListResponse(IReadOnlyList<ShardInfo> Shards, bool Partial, IReadOnlyList<string> UnavailableCells);

    public static IEndpointRouteBuilder MapClinicsFanOutApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/clinics").WithTags("Clinics");
        api.MapGet("/", ListClinics).WithSummary("List clinics across all cells, by id").AllowAnonymous();
        api.MapPost("/", CreateClinic).WithSummary("Create a clinic on the shard with the most room (or ?shard=N)")
            .RequireAuthorization(Access.GatewayAccess.Administrators);
        app.MapGet(CellRoutes.Shards, ListShards).WithTags("Shards").WithSummary("List the shards and their room")
            .RequireAuthorization(Access.GatewayAccess.Administrators);
        return app;
    }

    /// <summary>
    /// Asks every cell for its next page after the cursor, in parallel, and merges them by id. Ids never
    /// repeat across shards, so "the smallest ids first" is one consistent order over all cells.
    /// </summary>
    public static async Task<Results<Ok<ClinicListResponse>, ProblemHttpResult, JsonHttpResult<JsonElement>>> ListClinics(
        HttpRequest request, CellFanOut cells, CancellationToken ct, int limit = Paging.DefaultPageSize)
    {
        var answers = await cells.GetAllAsync<ClinicPage>("/clinics" + request.QueryString, ct);
        // The cells validate the query, and decide who may see deactivated clinics, the same way: pass a
        // refusal on as it is.
        if (answers.ClientError() is { } refusal)
        {
            return TypedResults.Json(refusal.Problem!.Value, statusCode: (int)refusal.Status!.Value, contentType: "application/problem+json");
        }
        var pages = answers.Values();
        if (pages.Count == 0)
        {
            return Problems.ServiceUnavailable("No ClinicService cell answered; retry later.");
        }
        var merged = ClinicPage.From(Keyset.Merge(pages.Select(p => p.AsKeyset()).ToList(), ClinicPage.Key, limit));
        var unavailable = answers.Unavailable();
        return TypedResults.Ok(new ClinicListResponse(merged.Items, merged.NextCursor, unavailable.Count > 0, unavailable));
    }

    /// <summary>
    /// Places a new clinic on a shard and creates it there. The shard is the one with the fewest active
    /// clinics among those not running low on ids (lowest number on a tie), unless the caller names one
    /// with <c>?shard=N</c>. The new id carries the shard, so the clinic is routable at once.
    /// </summary>
    public static async Task<IResult> CreateClinic(
        HttpRequest request, CellFanOut cells, ShardMap shards, PlacementLock placement, CancellationToken ct, int? shard = null)
    {
        if (shard is { } named && shards.CellOf(named) is null)
        {
            return Problems.Validation(new Dictionary<string, string[]>
            {
                ["shard"] = [$"There is no shard {named}; shards: {string.Join(", ", shards.Owners.Keys.Order())}."],
            });
        }

        // Reading the counts, choosing and creating are one step: clinics created at the same moment would
        // otherwise all read the same counts and land on the same shard.
        await using var held = shard is null ? await placement.AcquireAsync(ct) : null;
        var target = shard ?? await LeastLoadedShardAsync(cells, ct);
        if (target is not { } chosen)
        {
            return Problems.ServiceUnavailable("No ClinicService cell answered; a clinic cannot be placed now.");
        }

        // The cell's own POST /clinics, told which of its shards to use.
        using var content = new StreamContent(request.Body);
        return await cells.ForwardPostAsync(shards.CellOf(chosen)!, $"/clinics?shard={chosen}", content, request.ContentType, ct);
    }

    /// <summary>
    /// The shards of every cell and their active clinics: what the placement policy reads, the same for
    /// operators (the gateway asks the cells only what it serves itself).
    /// </summary>
    public static async Task<Ok<ShardListResponse>> ListShards(CellFanOut cells, CancellationToken ct)
    {
        var answers = await cells.GetAllAsync<ShardInfo[]>(CellRoutes.Shards, ct);
        var unavailable = answers.Unavailable();
        return TypedResults.Ok(new ShardListResponse(
            [.. answers.Values().SelectMany(shards => shards).OrderBy(s => s.Shard)], unavailable.Count > 0, unavailable));
    }

    private static async Task<int?> LeastLoadedShardAsync(CellFanOut cells, CancellationToken ct) =>
        (await ListShards(cells, ct)).Value!.Shards
            .OrderBy(s => s.IdsRunningLow).ThenBy(s => s.ActiveClinics).ThenBy(s => s.Shard)
            .Select(s => (int?)s.Shard)
            .FirstOrDefault();
}
