using System.Globalization;
using System.Security.Claims;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Consultations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Availability;

/// <summary>
/// Free booking slots. A slot that does not exist is not available: availability is only ever read from
/// slots that were generated or created. Answers are cached (tag <see cref="ClinicCache.AvailabilityTag"/>)
/// and dropped whenever a slot, doctor, time slot or clinic of this cell changes.
/// </summary>
public static class AvailabilityApi
{
    public static IEndpointRouteBuilder MapAvailabilityApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/clinics/{clinicId:long}/availability", ClinicAvailability).WithTags("Availability").Public()
            .ForShardOf("clinicId", scoped: false, Missing.Clinic)
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapGet("/doctors/{doctorId:long}/availability", DoctorAvailability).WithTags("Availability").Public()
            .ForShardOf("doctorId", scoped: true, Missing.Doctor)
            .ProducesProblem(StatusCodes.Status404NotFound);
        // Cell-level halves of the cross-clinic queries; the gateway fans them out and merges.
        app.MapGet("/availability/search", Search).WithTags("Availability").Public();
        app.MapGet("/availability/next", Next).WithTags("Availability").Public();
        return app;
    }

    /// <summary>What one availability answer is made of: its cache key and its query.</summary>
    public sealed record SlotSearch(
        DateOnly From, DateOnly To, string? Specialization, long? ClinicId, long? DoctorId,
        (DateTimeOffset StartsAt, long Id)? After, int Limit, string? Mode = null)
    {
        public string Key => string.Create(CultureInfo.InvariantCulture,
            $"{From:yyyyMMdd}:{To:yyyyMMdd}:{Specialization}:{ClinicId}:{DoctorId}:{After?.StartsAt.UtcTicks}:{After?.Id}:{Limit}:{Mode}");
    }

    /// <summary>
    /// What every availability read takes: the cell's shards, their replicas (availability may be stale by the
    /// replicas' bound, and never decides: a booking re-checks its slot on the primary), the cache, the clock, and
    /// who asks (whose own recent writes it must show).
    /// </summary>
    public sealed record CellServices(ShardDatabases Shards, ReadReplicas Replicas, ClinicCache Cache, TimeProvider Clock, ClaimsPrincipal User)
    {
        public Task<StaleReadPlan> PlanAsync(params int[] shards) => Replicas.PlanAsync(shards, Caller.From(User).Subject);
    }

    public static async Task<Ok<AvailabilityPage>> ClinicAvailability(
        [AsParameters] ClinicAvailabilityQuery query, ShardScope shard, [AsParameters] CellServices cell, CancellationToken ct)
    {
        var plan = await cell.PlanAsync(shard.Shard);
        var timeZone = await cell.Replicas.ReadAsync(shard.Shard, plan.Sources[shard.Shard], (db, t) => db.ClinicTimeZoneAsync(query.ClinicId, t), ct)
            ?? throw Missing.Clinic(query.ClinicId);
        var (from, to) = new DateRangeQuery(query.From, query.To).Resolve(SlotTimes.Today(timeZone, cell.Clock), AvailabilityLimits.DefaultDays, AvailabilityLimits.MaxDays);
        var search = new SlotSearch(from, to, Normalize(query.Specialization), query.ClinicId, query.DoctorId, Cursor(query.After), query.Limit, query.Mode);
        return TypedResults.Ok(await CachedPageAsync(cell, plan, search, ct));
    }

    public static async Task<Ok<AvailabilityPage>> DoctorAvailability(
        long doctorId, [AsParameters] DoctorAvailabilityQuery query, ShardScope shard, [AsParameters] CellServices cell, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(doctorId);
        var plan = await cell.PlanAsync(shard.Shard);
        // The doctor and their clinic's zone, from where the slots are read: one source for the whole answer.
        var timeZone = await cell.Replicas.ReadAsync(shard.Shard, plan.Sources[shard.Shard], async (db, t) =>
            await db.Doctors.AnyAsync(x => x.ClinicId == clinicId && x.Id == doctorId, t) ? await db.ClinicTimeZoneAsync(clinicId, t) : null, ct)
            ?? throw Missing.Doctor(doctorId);
        var (from, to) = new DateRangeQuery(query.From, query.To).Resolve(SlotTimes.Today(timeZone, cell.Clock), AvailabilityLimits.DefaultDays, AvailabilityLimits.MaxDays);
        var search = new SlotSearch(from, to, null, clinicId, doctorId, Cursor(query.After), query.Limit, query.Mode);
        return TypedResults.Ok(await CachedPageAsync(cell, plan, search, ct));
    }

    /// <summary>This cell's free slots across all its clinics, by start time. Dates are clinic-local.</summary>
    public static async Task<Ok<AvailabilityPage>> Search([AsParameters] SearchQuery query, [AsParameters] CellServices cell, CancellationToken ct)
    {
        var (from, to) = new DateRangeQuery(query.Date ?? query.From, query.Date ?? query.To)
            .Resolve(EarliestClinicDate(cell.Clock), AvailabilityLimits.DefaultDays, AvailabilityLimits.MaxDays);
        var search = new SlotSearch(from, to, Normalize(query.Specialization), query.ClinicId, null, Cursor(query.After), query.Limit, query.Mode);
        return TypedResults.Ok(await CachedPageAsync(cell, await cell.PlanAsync(Owned(cell, search)), search, ct));
    }

    /// <summary>This cell's earliest free slot matching the filter, from today on (or from a date).</summary>
    public static async Task<Results<Ok<AvailableSlot>, NoContent>> Next([AsParameters] NextQuery query, [AsParameters] CellServices cell, CancellationToken ct)
    {
        var search = new SlotSearch(query.From ?? EarliestClinicDate(cell.Clock), DateOnly.MaxValue, Normalize(query.Specialization),
            query.ClinicId, null, null, 1, query.Mode);
        var page = await CachedPageAsync(cell, await cell.PlanAsync(Owned(cell, search)), search, ct);
        return page.Items.Count > 0 ? TypedResults.Ok(page.Items[0]) : TypedResults.NoContent();
    }

    /// <summary>
    /// Dates are clinic-local, and clinics behind UTC are still on yesterday's date: a window across clinics
    /// starts a day early by default (slots that already started are never listed anyway).
    /// </summary>
    private static DateOnly EarliestClinicDate(TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime).AddDays(-1);

    private static (DateTimeOffset StartsAt, long Id)? Cursor(string? after) => after is null ? null : AvailabilityCursor.Parse(after);

    private static string? Normalize(string? specialization) =>
        string.IsNullOrWhiteSpace(specialization) ? null : specialization.Trim().ToLowerInvariant();

    /// <summary>The shards a search reads: every shard this cell owns, or only the one of <see cref="SlotSearch.ClinicId"/>.</summary>
    private static int[] Owned(CellServices cell, SlotSearch search) =>
        search.ClinicId is { } clinicId
            ? cell.Shards.OwnedShardOf(clinicId, scoped: false) is { } shard ? [shard] : []
            : [.. cell.Shards.Shards];

    /// <summary>
    /// A page across the plan's shards, each read where the plan says; cached unless the caller has just written
    /// (then it is read for them alone), and an answer read from replicas only for as long as the bound allows.
    /// </summary>
    private static async Task<AvailabilityPage> CachedPageAsync(CellServices cell, StaleReadPlan plan, SlotSearch search, CancellationToken ct)
    {
        async ValueTask<AvailabilityPage> ReadAsync(CancellationToken token) =>
            AvailabilityPage.From(Keyset.Merge(await Task.WhenAll(plan.Sources.Select(source =>
                cell.Replicas.ReadAsync(source.Key, source.Value, (db, t) => ReadShardAsync(db, cell.Clock, search, t), token))), AvailabilityPage.Key, search.Limit));
        return plan.Cacheable
            ? await cell.Cache.GetOrCreateAvailabilityAsync(search.Key, search.ClinicId, ReadAsync, ct, plan.CacheFor)
            : await ReadAsync(ct);
    }

    /// <summary>
    /// One shard's page. What it reads is bounded by the page, not by the shard's size: a slot can start no
    /// earlier than its clinic-local date's midnight in the earliest zone (UTC+14), so every read starts its
    /// index range there (or now) instead of walking the slots before it; and a search for a specialization or
    /// a doctor finds the matching doctors first (a small table) and reads each one's free slots from the
    /// index on (clinic, doctor, start), at most a page of each, so a specialization nobody has reads nothing
    /// and a common one reads a page per doctor, whatever else the shard holds.
    /// </summary>
    public static async Task<KeysetPage<AvailableSlot>> ReadShardAsync(ClinicDbContext db, TimeProvider clock, SlotSearch search, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var earliest = search.From == DateOnly.MinValue ? now
            : new DateTimeOffset(search.From.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(-14);
        var startsAfter = earliest > now ? earliest : now;
        var (fromDate, toDate, take) = (search.From, search.To, search.Limit + 1);
        var hasAfter = search.After is not null;
        var afterStart = search.After?.StartsAt.ToUniversalTime() ?? DateTimeOffset.UnixEpoch;
        var afterId = search.After?.Id ?? 0;
        if (search.Specialization is not null || search.DoctorId is not null)
        {
            // Written out, because the LATERAL join is the point: EF writes "a page per doctor" as a window
            // function over every slot of the shard. (Columns named as the model's snake_case convention reads them.)
            var (specialization, clinicId, doctorId, mode) = (search.Specialization, search.ClinicId, search.DoctorId, search.Mode);
            var found = await db.Database.SqlQuery<SlotRow>($"""
                SELECT s.id, s.clinic_id, s.doctor_id, s.time_slot_id, s.date, s.starts_at, s.ends_at, s.mode, s.price_amount, s.price_currency,
                       d.name AS doctor_name, d.specialization, c.name AS clinic_name, c.time_zone
                  FROM doctors d
                  JOIN clinics c ON c.id = d.clinic_id AND c.is_active
                 CROSS JOIN LATERAL (
                       SELECT * FROM booking_slots s
                        WHERE s.clinic_id = d.clinic_id AND s.doctor_id = d.id AND s.customer_id IS NULL
                          AND s.starts_at > {startsAfter} AND s.date >= {fromDate} AND s.date <= {toDate}
                          AND (NOT {hasAfter} OR (s.starts_at, s.id) > ({afterStart}, {afterId}))
                          AND ({mode}::text IS NULL OR s.mode IN ({mode}::text, {ConsultationModes.Either}))
                        ORDER BY s.starts_at, s.id
                        LIMIT {take}) s
                 WHERE d.is_active
                   AND ({specialization}::text IS NULL OR lower(d.specialization) = {specialization}::text)
                   AND ({clinicId}::bigint IS NULL OR d.clinic_id = {clinicId}::bigint)
                   AND ({doctorId}::bigint IS NULL OR d.id = {doctorId}::bigint)
                 ORDER BY s.starts_at, s.id
                 LIMIT {take}
                """).ToListAsync(ct);
            return Page(found, search.Limit);
        }
        IQueryable<SlotRow> rows =
            from s in db.BookingSlots.AsNoTracking()
            join d in db.Doctors on new { s.ClinicId, Id = s.DoctorId } equals new { d.ClinicId, d.Id }
            join c in db.Clinics on s.ClinicId equals c.Id
            where s.CustomerId == null && s.StartsAt > startsAfter && s.Date >= fromDate && s.Date <= toDate
                  && d.IsActive && c.IsActive
            select new SlotRow
            {
                Id = s.Id, ClinicId = s.ClinicId, DoctorId = s.DoctorId, TimeSlotId = s.TimeSlotId, Date = s.Date,
                StartsAt = s.StartsAt, EndsAt = s.EndsAt, Mode = s.Mode, PriceAmount = s.PriceAmount, PriceCurrency = s.PriceCurrency, DoctorName = d.Name, Specialization = d.Specialization,
                ClinicName = c.Name, TimeZone = c.TimeZone,
            };
        if (search.ClinicId is { } clinic)
        {
            rows = rows.Where(r => r.ClinicId == clinic);
        }
        if (search.Mode is { } wanted)
        {
            rows = rows.Where(r => r.Mode == wanted || r.Mode == ConsultationModes.Either);
        }
        if (hasAfter)
        {
            rows = rows.Where(r => r.StartsAt > afterStart || (r.StartsAt == afterStart && r.Id > afterId));
        }
        return Page(await rows.OrderBy(r => r.StartsAt).ThenBy(r => r.Id).Take(take).ToListAsync(ct), search.Limit);
    }

    private static KeysetPage<AvailableSlot> Page(List<SlotRow> rows, int limit) =>
        KeysetPage<AvailableSlot>.FromRows(rows.Select(r => new AvailableSlot(
            r.Id, r.ClinicId, r.ClinicName, r.DoctorId, r.DoctorName, r.Specialization, r.TimeSlotId, r.Date,
            SlotTimes.ToClinicTime(r.StartsAt, r.TimeZone), SlotTimes.ToClinicTime(r.EndsAt, r.TimeZone), r.TimeZone, r.Mode,
            Contracts.Payments.Price.Of(r.PriceAmount, r.PriceCurrency))).ToList(), limit);

    /// <summary>A free slot with its doctor and clinic, as one row.</summary>
    public sealed class SlotRow
    {
        public long Id { get; init; }
        public long ClinicId { get; init; }
        public long DoctorId { get; init; }
        public long TimeSlotId { get; init; }
        public DateOnly Date { get; init; }
        public DateTimeOffset StartsAt { get; init; }
        public DateTimeOffset EndsAt { get; init; }
        public required string Mode { get; init; }
        public decimal? PriceAmount { get; init; }
        public string? PriceCurrency { get; init; }
        public required string DoctorName { get; init; }
        public required string Specialization { get; init; }
        public required string ClinicName { get; init; }
        public required string TimeZone { get; init; }
    }
}
