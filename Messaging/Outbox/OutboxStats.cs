using System.Diagnostics.Metrics;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.Messaging.Outbox;

/// <summary>Where one database's outbox stands: messages waiting to be sent, and messages parked because they never can be.</summary>
public sealed record OutboxShardStats(int Shard, long Unsent, long Parked, DateTimeOffset? OldestUnsentAt);

/// <summary>
/// Counts each database's outbox, so nothing waits or is parked unseen: <c>GET /operations/outbox</c>, and the
/// gauges <c>clinicbooking.outbox.unsent</c> and <c>clinicbooking.outbox.parked</c> (refreshed by every count;
/// the purger counts once a minute).
/// </summary>
public sealed class OutboxStats<TMessage> where TMessage : OutboxMessage
{
    private readonly IOutboxStore<TMessage> _store;
    private readonly Dictionary<int, OutboxShardStats> _latest = [];
    private readonly Lock _gate = new();

    public OutboxStats(IOutboxStore<TMessage> store, IMeterFactory meters)
    {
        _store = store;
        var meter = meters.Create("ClinicBooking.Outbox");
        meter.CreateObservableGauge("clinicbooking.outbox.unsent", () => Observe(s => s.Unsent), "{message}",
            "Outbox messages committed and not yet confirmed by the broker.");
        meter.CreateObservableGauge("clinicbooking.outbox.parked", () => Observe(s => s.Parked), "{message}",
            "Outbox messages that can never be sent, kept for Outbox:ParkedRetention.");
    }

    public async Task<IReadOnlyList<OutboxShardStats>> CountAsync(CancellationToken ct)
    {
        var all = new List<OutboxShardStats>();
        foreach (var database in _store.Databases.Order())
        {
            await using var db = _store.CreateContext(database);
            var messages = db.Set<TMessage>();
            var unsent = messages.Where(m => m.SentAt == null && m.ParkedAt == null);
            var stats = new OutboxShardStats(database, await unsent.LongCountAsync(ct),
                await messages.LongCountAsync(m => m.ParkedAt != null, ct),
                await unsent.OrderBy(m => m.Id).Select(m => (DateTimeOffset?)m.CreatedAt).FirstOrDefaultAsync(ct));
            lock (_gate)
            {
                _latest[database] = stats;
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
