using System.Diagnostics.Metrics;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>Where a shard's outbox stands: messages waiting to be sent, and messages parked because they never can be.</summary>
public sealed record OutboxShardStats(int Shard, long Unsent, long Parked, DateTimeOffset? OldestUnsentAt);

/// <summary>
/// Counts each shard's outbox, so nothing waits or is parked unseen: <c>GET /operations/outbox</c>, and the
/// gauges <c>clinicbooking.outbox.unsent</c> and <c>clinicbooking.outbox.parked</c> (refreshed by every count;
/// the purger counts once a minute).
/// </summary>
public sealed class OutboxStats
{
    private readonly ShardDatabases _shards;
    private readonly Dictionary<int, OutboxShardStats> _latest = [];
    private readonly Lock _gate = new();

    public OutboxStats(ShardDatabases shards, IMeterFactory meters)
    {
        _shards = shards;
        var meter = meters.Create("ClinicBooking.Outbox");
        meter.CreateObservableGauge("clinicbooking.outbox.unsent", () => Observe(s => s.Unsent), "{message}",
            "Outbox messages committed and not yet confirmed by the broker.");
        meter.CreateObservableGauge("clinicbooking.outbox.parked", () => Observe(s => s.Parked), "{message}",
            "Outbox messages that can never be sent, kept for Outbox:ParkedRetention.");
    }

    public async Task<IReadOnlyList<OutboxShardStats>> CountAsync(CancellationToken ct)
    {
        var all = new List<OutboxShardStats>();
        foreach (var shard in _shards.Shards.Order())
        {
            await using var db = _shards.CreateContext(shard);
            var unsent = db.OutboxMessages.Where(m => m.SentAt == null && m.ParkedAt == null);
            var stats = new OutboxShardStats(shard, await unsent.LongCountAsync(ct),
                await db.OutboxMessages.LongCountAsync(m => m.ParkedAt != null, ct),
                await unsent.OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct));
            lock (_gate)
            {
                _latest[shard] = stats;
            }
            all.Add(stats);
        }
        return all;
    }

    private IEnumerable<Measurement<long>> Observe(Func<OutboxShardStats, long> value)
    {
        lock (_gate)
        {
            return _latest.Values.Select(s => new Measurement<long>(value(s), new KeyValuePair<string, object?>("shard", s.Shard))).ToList();
        }
    }

}

public static class OutboxOperationsApi
{
    /// <summary><c>GET /operations/outbox</c>: each owned shard's outbox.</summary>
    public static IEndpointRouteBuilder MapOutboxOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/operations/outbox", async Task<Ok<IReadOnlyList<OutboxShardStats>>> (OutboxStats stats, CancellationToken ct) =>
            TypedResults.Ok(await stats.CountAsync(ct))).WithTags("Operations").AdministratorsAndServices();
        return app;
    }
}
