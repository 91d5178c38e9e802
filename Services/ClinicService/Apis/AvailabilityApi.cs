using ClinicBooking.ClinicService.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>
/// Free booking slots. A slot that does not exist is not available: availability is only ever read from
/// slots that were generated or created. Answers are cached (tag <see cref="CacheTags.Availability"/>) and
/// dropped whenever a slot, doctor, time slot or clinic of this cell changes.
/// </summary>
public static class AvailabilityApi
{
    public const int DefaultDays = 7;
    public const int MaxDays = 31;
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static IEndpointRouteBuilder MapAvailabilityApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/clinics/{clinicId:long}/availability", ClinicAvailability).WithTags("Availability");
        app.MapGet("/doctors/{doctorId:long}/availability", DoctorAvailability).WithTags("Availability");
        // Cell-level halves of the cross-clinic queries; the gateway fans them out and merges.
        app.MapGet("/availability/search", Search).WithTags("Availability");
        app.MapGet("/availability/next", Next).WithTags("Availability");
        return app;
    }

    public sealed record Query(
        DateOnly From, DateOnly To, string? Specialization, long? ClinicId, long? DoctorId,
        (DateTimeOffset StartsAt, long Id)? After, int Limit);

    public static async Task<Results<Ok<AvailabilityPage>, ValidationProblem, ProblemHttpResult>> ClinicAvailability(
        long clinicId, ShardDatabases shards, HybridCache cache, TimeProvider clock, CancellationToken ct,
        DateOnly? from = null, DateOnly? to = null, string? specialization = null, long? doctorId = null,
        string? after = null, int limit = DefaultLimit)
    {
        var today = await ClinicTodayAsync(shards, clinicId, clock, ct);
        if (today is null)
        {
            return ClinicsApi.ClinicNotFound(clinicId);
        }
        if (doctorId is { } d && ClinicIds.ClinicOf(d) != clinicId)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["doctorId"] = ["The doctor does not belong to this clinic."] });
        }
        var (query, errors) = Parse(from, to, today.Value, specialization, clinicId, doctorId, after, limit);
        return errors.Count > 0 ? Problems.Validation(errors) : TypedResults.Ok(await CachedPageAsync(shards, cache, clock, query, ct));
    }

    public static async Task<Results<Ok<AvailabilityPage>, ValidationProblem, ProblemHttpResult>> DoctorAvailability(
        long doctorId, ShardDatabases shards, HybridCache cache, TimeProvider clock, CancellationToken ct,
        DateOnly? from = null, DateOnly? to = null, string? after = null, int limit = DefaultLimit)
    {
        var clinicId = ClinicIds.ClinicOf(doctorId);
        await using (var db = shards.ForScopedId(doctorId))
        {
            if (db is null || !await db.Doctors.AnyAsync(x => x.ClinicId == clinicId && x.Id == doctorId, ct))
            {
                return DoctorsApi.DoctorNotFound(doctorId);
            }
        }
        var today = await ClinicTodayAsync(shards, clinicId, clock, ct);
        var (query, errors) = Parse(from, to, today!.Value, null, clinicId, doctorId, after, limit);
        return errors.Count > 0 ? Problems.Validation(errors) : TypedResults.Ok(await CachedPageAsync(shards, cache, clock, query, ct));
    }

    /// <summary>This cell's free slots across all its clinics, by start time. Dates are clinic-local.</summary>
    public static async Task<Results<Ok<AvailabilityPage>, ValidationProblem>> Search(
        ShardDatabases shards, HybridCache cache, TimeProvider clock, CancellationToken ct,
        DateOnly? date = null, DateOnly? from = null, DateOnly? to = null, string? specialization = null,
        long? clinicId = null, string? after = null, int limit = DefaultLimit)
    {
        if (date is not null && (from is not null || to is not null))
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["date"] = ["Give either date, or from and to."] });
        }
        // Dates are clinic-local, and clinics behind UTC are still on yesterday's date: start the default
        // window a day early (slots that already started are never listed anyway).
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1);
        var (query, errors) = Parse(date ?? from, date ?? to, today, specialization, clinicId, null, after, limit);
        return errors.Count > 0 ? Problems.Validation(errors) : TypedResults.Ok(await CachedPageAsync(shards, cache, clock, query, ct));
    }

    /// <summary>This cell's earliest free slot matching the filter, from today on (or from a date).</summary>
    public static async Task<Results<Ok<AvailableSlot>, NoContent, ValidationProblem>> Next(
        ShardDatabases shards, HybridCache cache, TimeProvider clock, CancellationToken ct,
        string? specialization = null, long? clinicId = null, DateOnly? from = null)
    {
        var start = from ?? DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1);
        var query = new Query(start, DateOnly.MaxValue, Normalize(specialization), clinicId, null, null, 1);
        var page = await CachedPageAsync(shards, cache, clock, query, ct);
        return page.Items.Count > 0 ? TypedResults.Ok(page.Items[0]) : TypedResults.NoContent();
    }

    private static (Query Query, Dictionary<string, string[]> Errors) Parse(
        DateOnly? from, DateOnly? to, DateOnly today, string? specialization, long? clinicId, long? doctorId, string? after, int limit)
    {
        var (start, end, errors) = DateRange.Resolve(from, to, today, DefaultDays, MaxDays);
        if (limit is < 1 or > MaxLimit)
        {
            errors["limit"] = [$"limit must be between 1 and {MaxLimit}."];
        }
        (DateTimeOffset, long)? cursor = null;
        if (after is not null)
        {
            cursor = AvailabilityCursor.Parse(after);
            if (cursor is null)
            {
                errors["after"] = ["after must be a cursor returned as nextCursor."];
            }
        }
        return (new Query(start, end, Normalize(specialization), clinicId, doctorId, cursor, limit), errors);
    }

    private static string? Normalize(string? specialization) =>
        string.IsNullOrWhiteSpace(specialization) ? null : specialization.Trim().ToLowerInvariant();

    private static async Task<DateOnly?> ClinicTodayAsync(ShardDatabases shards, long clinicId, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForClinic(clinicId);
        var timeZone = db is null ? null : await db.Clinics.Where(c => c.Id == clinicId).Select(c => c.TimeZone).FirstOrDefaultAsync(ct);
        return timeZone is null ? null : SlotTimes.Today(timeZone, clock);
    }

    private static async Task<AvailabilityPage> CachedPageAsync(
        ShardDatabases shards, HybridCache cache, TimeProvider clock, Query query, CancellationToken ct)
    {
        var key = FormattableString.Invariant(
            $"availability:v{CacheTags.Version}:{query.From:yyyyMMdd}:{query.To:yyyyMMdd}:{query.Specialization}:{query.ClinicId}:{query.DoctorId}:{query.After?.StartsAt.UtcTicks}:{query.After?.Id}:{query.Limit}");
        string[] tags = query.ClinicId is { } clinic ? [CacheTags.Availability, CacheTags.Clinic(clinic)] : [CacheTags.Availability];
        return await cache.GetOrCreateAsync(key, async token => await PageAsync(shards, clock, query, token), tags: tags, cancellationToken: ct);
    }

    private static async Task<AvailabilityPage> PageAsync(ShardDatabases shards, TimeProvider clock, Query query, CancellationToken ct)
    {
        var owned = query.ClinicId is { } clinicId
            ? (shards.Owns(ClinicIds.ShardOfClinic(clinicId)) ? [ClinicIds.ShardOfClinic(clinicId)] : [])
            : shards.Shards.ToArray();
        var now = clock.GetUtcNow();
        var perShard = await Task.WhenAll(owned.Select(async shard =>
        {
            await using var db = shards.CreateContext(shard);
            var rows =
                from s in db.DoctorBookingSlots.AsNoTracking()
                join d in db.Doctors on new { s.ClinicId, Id = s.DoctorId } equals new { d.ClinicId, d.Id }
                join c in db.Clinics on s.ClinicId equals c.Id
                where s.CustomerId == null && s.StartsAt > now && s.Date >= query.From && s.Date <= query.To
                      && d.IsActive && c.IsActive
                select new { s, DoctorName = d.Name, d.Specialization, ClinicName = c.Name, c.TimeZone };
            if (query.Specialization is { } specialization)
            {
                rows = rows.Where(r => r.Specialization.ToLower() == specialization);
            }
            if (query.ClinicId is { } clinic)
            {
                rows = rows.Where(r => r.s.ClinicId == clinic);
            }
            if (query.DoctorId is { } doctor)
            {
                rows = rows.Where(r => r.s.DoctorId == doctor);
            }
            if (query.After is { } after)
            {
                rows = rows.Where(r => r.s.StartsAt > after.StartsAt || (r.s.StartsAt == after.StartsAt && r.s.Id > after.Id));
            }
            var page = await rows.OrderBy(r => r.s.StartsAt).ThenBy(r => r.s.Id).Take(query.Limit + 1).ToListAsync(ct);
            return page.Select(r => new AvailableSlot(
                r.s.Id, r.s.ClinicId, r.ClinicName, r.s.DoctorId, r.DoctorName, r.Specialization, r.s.TimeSlotId, r.s.Date,
                SlotTimes.ToClinicTime(r.s.StartsAt, r.TimeZone), SlotTimes.ToClinicTime(r.s.EndsAt, r.TimeZone)));
        }));

        var merged = perShard.SelectMany(p => p).OrderBy(s => s.StartsAt).ThenBy(s => s.Id).ToList();
        var items = merged.Take(query.Limit).ToList();
        return new AvailabilityPage(items, merged.Count > query.Limit ? AvailabilityCursor.Format(items[^1].StartsAt, items[^1].Id) : null);
    }
}
