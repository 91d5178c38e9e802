using System.Globalization;
using System.Text.Json.Nodes;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Apis;

public static class ClinicsApi
{
    public const int DefaultPageSize = 20;
    private static readonly string[] PatchableFields = ["name", "timeZone", "address", "isActive"];

    public static IEndpointRouteBuilder MapClinicsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/clinics").WithTags("Clinics");
        api.MapGet("/", ListClinics);
        api.MapGet("/{id:long}", GetClinic);
        api.MapPut("/{id:long}", ReplaceClinic);
        api.MapPatch("/{id:long}", PatchClinic).Accepts<JsonObject>(JsonMergePatch.MediaType);
        api.MapDelete("/{id:long}", DeactivateClinic);

        // Called by the gateway, which owns the placement policy across cells; not routed to clients.
        var shards = app.MapGroup("/shards").WithTags("Shards");
        shards.MapGet("/", ListShards);
        shards.MapPost("/{shard:int}/clinics", CreateClinic);
        return app;
    }

    /// <summary>
    /// The clinics of every shard this cell owns, in id order, one page after the <paramref name="after"/>
    /// cursor. The gateway merges the pages of all cells the same way.
    /// </summary>
    public static async Task<Results<Ok<ClinicPage>, ValidationProblem>> ListClinics(
        ShardDatabases shards, CancellationToken ct, string? after = null, int limit = DefaultPageSize, bool includeInactive = false)
    {
        var errors = new Dictionary<string, string[]>();
        long afterId = 0;
        if (after is not null && !long.TryParse(after, NumberStyles.None, CultureInfo.InvariantCulture, out afterId))
        {
            errors["after"] = ["after must be a cursor returned as nextCursor."];
        }
        if (limit is < 1 or > Paging.MaxPageSize)
        {
            errors["limit"] = [$"limit must be between 1 and {Paging.MaxPageSize}."];
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var pages = await Task.WhenAll(shards.Shards.Select(async shard =>
        {
            await using var db = shards.CreateContext(shard);
            return await db.Clinics.AsNoTracking()
                .Where(c => c.Id > afterId && (includeInactive || c.IsActive))
                .OrderBy(c => c.Id).Take(limit + 1)
                .ToListAsync(ct);
        }));
        var merged = pages.SelectMany(p => p).OrderBy(c => c.Id).ToList();
        var page = merged.Take(limit).Select(ClinicResponse.From).ToList();
        var next = merged.Count > limit ? page[^1].Id.ToString(CultureInfo.InvariantCulture) : null;
        return TypedResults.Ok(new ClinicPage(page, next));
    }

    public static async Task<Results<Ok<ClinicResponse>, ProblemHttpResult>> GetClinic(
        long id, ShardDatabases shards, HybridCache cache, CancellationToken ct)
    {
        if (ClinicIds.ShardOf(id, scoped: false) is not { } shard || !shards.Owns(shard))
        {
            return ClinicNotFound(id);
        }
        var clinic = await cache.GetOrCreateAsync($"clinic:{id}:v{CacheTags.ClinicVersion(id)}", async token =>
        {
            await using var db = shards.CreateContext(shard);
            var found = await db.Clinics.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, token);
            return found is null ? null : ClinicResponse.From(found);
        }, tags: [CacheTags.Clinic(id)], cancellationToken: ct);
        return clinic is null ? ClinicNotFound(id) : TypedResults.Ok(clinic);
    }

    public static async Task<Ok<ShardInfo[]>> ListShards(ShardDatabases shards, CancellationToken ct) =>
        TypedResults.Ok(await Task.WhenAll(shards.Shards.Order().Select(async shard =>
        {
            await using var db = shards.CreateContext(shard);
            return new ShardInfo(shard, await db.Clinics.CountAsync(c => c.IsActive, ct));
        })));

    public static async Task<Results<Created<ClinicResponse>, ValidationProblem, ProblemHttpResult>> CreateClinic(
        int shard, ClinicRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        if (!shards.Owns(shard))
        {
            return Problems.NotFound($"This cell does not own shard {shard}.");
        }
        var errors = Validation.Clinic(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        await using var db = shards.CreateContext(shard);
        var now = clock.UtcNowMicroseconds();
        var clinic = new Clinic
        {
            Name = request.Name!.Trim(),
            TimeZone = request.TimeZone!.Trim(),
            Address = string.IsNullOrWhiteSpace(request.Address) ? null : request.Address.Trim(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Clinics.Add(clinic);
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Created($"/clinics/{clinic.Id}", ClinicResponse.From(clinic));
    }

    public static async Task<Results<Ok<ClinicResponse>, ValidationProblem, ProblemHttpResult>> ReplaceClinic(
        long id, ClinicRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForClinic(id);
        var clinic = db is null ? null : await db.Clinics.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (db is null || clinic is null)
        {
            return ClinicNotFound(id);
        }
        return await UpdateAsync(db, clinic, request, clock, ct);
    }

    public static async Task<Results<Ok<ClinicResponse>, ValidationProblem, ProblemHttpResult>> PatchClinic(
        long id, JsonNode? patch, ShardDatabases shards, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        await using var db = shards.ForClinic(id);
        var clinic = db is null ? null : await db.Clinics.FirstOrDefaultAsync(c => c.Id == id, ct);
        if (db is null || clinic is null)
        {
            return ClinicNotFound(id);
        }
        var (merged, problem) = MergePatch.Apply(
            new ClinicRequest(clinic.Name, clinic.TimeZone, clinic.Address), patch, json.Value.SerializerOptions, PatchableFields);
        return problem ?? await UpdateAsync(db, clinic, merged!, clock, ct);
    }

    private static async Task<Results<Ok<ClinicResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        ClinicDbContext db, Clinic clinic, ClinicRequest request, TimeProvider clock, CancellationToken ct)
    {
        if (!clinic.IsActive && request.IsActive != true)
        {
            return Problems.Conflict($"Clinic {clinic.Id} is deactivated. Send \"isActive\": true with the update to reactivate it.");
        }
        if (request.IsActive == false)
        {
            return Problems.Conflict($"Deactivate clinic {clinic.Id} with DELETE /clinics/{clinic.Id}.");
        }
        var errors = Validation.Clinic(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var timeZone = request.TimeZone!.Trim();
        // Booking slots are stored as instants computed in the old zone; moving the clinic would silently
        // shift every future appointment.
        if (timeZone != clinic.TimeZone && await db.DoctorBookingSlots.AnyAsync(s => s.ClinicId == clinic.Id && s.EndsAt > clock.GetUtcNow(), ct))
        {
            return Problems.Conflict("The time zone of a clinic with future booking slots cannot change.");
        }

        clinic.Name = request.Name!.Trim();
        clinic.TimeZone = timeZone;
        clinic.Address = string.IsNullOrWhiteSpace(request.Address) ? null : request.Address.Trim();
        clinic.IsActive = true;
        clinic.UpdatedAt = clock.UtcNowMicroseconds();
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Ok(ClinicResponse.From(clinic));
    }

    /// <summary>
    /// Deactivates a clinic in one transaction: refused while future booked slots exist (they are listed);
    /// otherwise its free future booking slots and its templates are removed, and its doctors and time
    /// slots deactivated. The database's constraints refuse the change if anything is left behind.
    /// </summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeactivateClinic(
        long id, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForClinic(id);
        if (db is null)
        {
            return ClinicNotFound(id);
        }
        return await Deactivation.DeactivateAsync(db,
            db.Clinics.FromSql($"SELECT *, xmin FROM clinics WHERE id = {id} FOR UPDATE"),
            ClinicNotFound(id),
            s => s.ClinicId == id,
            t => t.ClinicId == id,
            clock, ct,
            deactivateDependants: async now =>
            {
                await db.Doctors.Where(d => d.ClinicId == id && d.IsActive)
                    .ExecuteUpdateAsync(u => u.SetProperty(d => d.IsActive, false).SetProperty(d => d.UpdatedAt, now), ct);
                await db.TimeSlots.Where(t => t.ClinicId == id && t.IsActive)
                    .ExecuteUpdateAsync(u => u.SetProperty(t => t.IsActive, false).SetProperty(t => t.UpdatedAt, now), ct);
            });
    }

    public static ProblemHttpResult ClinicNotFound(long id) => Problems.NotFound($"Clinic {id} does not exist.");
}
