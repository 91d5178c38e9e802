using System.Security.Claims;
using System.Text.Json.Nodes;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Contracts.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Clinics;

public static class ClinicsApi
{
    private static readonly string[] PatchableFields = ["name", "timeZone", "address", "isActive", "maxActiveBookingsPerCustomer", "payAtBooking"];

    public static IEndpointRouteBuilder MapClinicsApi(this IEndpointRouteBuilder app)
    {
        var clinics = app.MapGroup("/clinics").WithTags("Clinics");
        clinics.MapGet("/", ListClinics).Public();
        // The gateway places a clinic on a shard (?shard=N) and sends the request to the cell that owns it.
        clinics.MapPost("/", CreateClinic).Administrators().ProducesProblem(StatusCodes.Status404NotFound);

        var clinic = clinics.MapGroup("/{id:long}").ForShardOf("id", scoped: false, Missing.Clinic)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        clinic.MapGet("/", GetClinic).Public();
        clinic.MapPut("/", ReplaceClinic).ClinicStaff("id", scoped: false);
        clinic.MapPatch("/", PatchClinic).ClinicStaff("id", scoped: false).Accepts<JsonObject>(JsonMergePatch.MediaType);
        clinic.MapDelete("/", DeactivateClinic).ClinicStaff("id", scoped: false).Administrators();

        // This cell's part of the gateway's GET /shards, which the placement policy across cells reads. Not in
        // the cell's API description: clients get the gateway's merged answer, of another shape.
        app.MapGet(CellRoutes.Shards, ListShards).AdministratorsAndServices().ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// The clinics of every shard this cell owns, in id order, one page after the cursor. The gateway merges
    /// the pages of all cells the same way.
    /// </summary>
    public static async Task<Ok<ClinicPage>> ListClinics([AsParameters] ClinicListQuery query, ShardDatabases shards, ClaimsPrincipal user, CancellationToken ct)
    {
        if (query.IncludeInactive)
        {
            Access.RequireToSeeInactive(user, clinicId: null);
        }
        var pages = await Task.WhenAll(shards.Shards.Select(async shard =>
        {
            await using var db = shards.CreateContext(shard);
            var rows = await db.Clinics.AsNoTracking()
                .Where(c => c.Id > query.AfterId && (query.IncludeInactive || c.IsActive))
                .OrderBy(c => c.Id).Take(query.Limit + 1)
                .Select(c => c.ToResponse())
                .ToListAsync(ct);
            return KeysetPage<ClinicResponse>.FromRows(rows, query.Limit);
        }));
        return TypedResults.Ok(ClinicPage.From(Keyset.Merge(pages, ClinicPage.Key, query.Limit)));
    }

    /// <summary>A clinic's public details: a read that may be stale (a replica's, within the bound; the caller's own changes always shown).</summary>
    public static async Task<Ok<ClinicResponse>> GetClinic(long id, ShardScope shard, ReadReplicas replicas, ClinicCache cache, ClaimsPrincipal user, CancellationToken ct)
    {
        var clinic = await replicas.ReadThroughAsync(shard.Shard, Caller.From(user).Subject,
            (read, expiration) => cache.GetOrCreateForClinicAsync("clinic", id, id, read, ct, expiration),
            async (db, token) => (await db.Clinics.AsNoTracking().FirstOrDefaultAsync(c => c.Id == id, token))?.ToResponse(), ct);
        return TypedResults.Ok(clinic ?? throw Missing.Clinic(id));
    }

    public static async Task<Ok<ShardInfo[]>> ListShards(ShardDatabases shards, IdHeadroom headroom, CancellationToken ct) =>
        TypedResults.Ok(await Task.WhenAll(shards.Shards.Order().Select(async shard =>
        {
            await using var db = shards.CreateContext(shard);
            var ids = await headroom.ReadAsync(shard, ct) ?? throw new InvalidOperationException($"Shard {shard} is not migrated yet.");
            return new ShardInfo(shard, await db.Clinics.CountAsync(c => c.IsActive, ct),
                ids.RowIdsLeft, ids.ClinicIdsLeft, ids.RunningLow(headroom.WarnBelowFraction));
        })));

    public static async Task<Created<ClinicResponse>> CreateClinic(
        int shard, ClinicRequest request, [AsParameters] ShardServices services, CancellationToken ct)
    {
        services.Shard.EnterShard(shard);
        var now = services.Clock.UtcNowMicroseconds();
        var clinic = new Clinic { Name = "", TimeZone = "", CreatedAt = now };
        SetFields(clinic, request, now);
        services.Db.Clinics.Add(clinic);
        await services.Db.SaveChangesAsync(ct);
        return TypedResults.Created($"/clinics/{clinic.Id}", clinic.ToResponse());
    }

    public static async Task<Ok<ClinicResponse>> ReplaceClinic(
        long id, ClinicRequest request, [AsParameters] ShardServices services, CancellationToken ct) =>
        await UpdateAsync(await FindAsync(services.Db, id, ct), request, services, ct);

    public static async Task<Ok<ClinicResponse>> PatchClinic(
        long id, JsonNode? patch, [AsParameters] ShardServices services, MergePatcher<ClinicRequest> patcher, CancellationToken ct)
    {
        var clinic = await FindAsync(services.Db, id, ct);
        var request = await patcher.ApplyAsync(
            new ClinicRequest(clinic.Name, clinic.TimeZone, clinic.Address, MaxActiveBookingsPerCustomer: clinic.MaxActiveBookingsPerCustomer, PayAtBooking: clinic.PayAtBooking),
            patch, PatchableFields, ct);
        return await UpdateAsync(clinic, request, services, ct);
    }

    private static async Task<Ok<ClinicResponse>> UpdateAsync(Clinic clinic, ClinicRequest request, ShardServices services, CancellationToken ct)
    {
        clinic.EnsureUpdatable(request.IsActive, $"Clinic {clinic.Id}", $"/clinics/{clinic.Id}");
        // Booking slots are stored as instants computed in the old zone; moving the clinic would silently
        // shift every future appointment.
        if (request.TimeZone!.Trim() != clinic.TimeZone
            && await services.Db.BookingSlots.AnyAsync(s => s.ClinicId == clinic.Id && s.EndsAt > DateTimeOffset.UtcNow, ct))
        {
            throw ProblemException.Conflict("The time zone of a clinic with future booking slots cannot change.");
        }
        SetFields(clinic, request, services.Clock.UtcNowMicroseconds());
        clinic.IsActive = true;
        await services.Db.SaveChangesAsync(ct);
        return TypedResults.Ok(clinic.ToResponse());
    }

    /// <summary>
    /// Deactivates a clinic in one transaction: refused while future booked slots exist (they are listed);
    /// otherwise its free future booking slots and its templates are removed, and its doctors and time
    /// slots deactivated. The database's constraints refuse the change if anything is left behind.
    /// </summary>
    public static async Task<NoContent> DeactivateClinic(long id, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var db = services.Db;
        await Deactivation.DeactivateAsync(db,
            db.Clinics.FromSql($"SELECT *, xmin FROM clinics WHERE id = {id} FOR UPDATE"),
            () => Missing.Clinic(id),
            s => s.ClinicId == id,
            t => t.ClinicId == id,
            services.Clock, ct,
            deactivateDependants: async now =>
            {
                await db.Doctors.Where(d => d.ClinicId == id && d.IsActive)
                    .ExecuteUpdateAsync(u => u.SetProperty(d => d.IsActive, false).SetProperty(d => d.UpdatedAt, now), ct);
                await db.TimeSlots.Where(t => t.ClinicId == id && t.IsActive)
                    .ExecuteUpdateAsync(u => u.SetProperty(t => t.IsActive, false).SetProperty(t => t.UpdatedAt, now), ct);
            });
        return TypedResults.NoContent();
    }

    private static void SetFields(Clinic clinic, ClinicRequest request, DateTimeOffset now)
    {
        clinic.Name = request.Name!.Trim();
        clinic.TimeZone = request.TimeZone!.Trim();
        clinic.Address = string.IsNullOrWhiteSpace(request.Address) ? null : request.Address.Trim();
        clinic.MaxActiveBookingsPerCustomer = request.MaxActiveBookingsPerCustomer;
        clinic.PayAtBooking = request.PayAtBooking ?? false;
        clinic.UpdatedAt = now;
    }

    private static async Task<Clinic> FindAsync(ClinicDbContext db, long id, CancellationToken ct) =>
        await db.Clinics.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw Missing.Clinic(id);
}
