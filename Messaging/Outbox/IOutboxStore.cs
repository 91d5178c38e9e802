using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.Messaging.Outbox;

/// <summary>
/// What the outbox needs from a service: where its rows live, and what they send. The building block does the
/// rest (sending after commit in batches, re-driving what was not sent, parking what never can be, purging,
/// counting); see <c>Messaging/README.md</c>.
/// </summary>
public interface IOutboxStore<TMessage> where TMessage : OutboxMessage
{
    /// <summary>The databases that hold an outbox: a cell's shards, or just 0 for a service with one database.</summary>
    IReadOnlyCollection<int> Databases { get; }

    /// <summary>A new context on one of <see cref="Databases"/>, which the caller disposes.</summary>
    DbContext CreateContext(int database);

    /// <summary>
    /// Publishes the messages of <paramref name="rows"/> (unsent, overdue, locked by the caller's transaction),
    /// built from what each is about as it is now, and says what became of each: sent (the broker confirmed
    /// it), parked (it can never be sent, with why), or neither (try again on the next round).
    /// </summary>
    Task<OutboxResult> RedriveAsync(DbContext db, int database, IReadOnlyList<TMessage> rows, CancellationToken ct);
}

/// <summary>What became of re-driven rows: the ids sent, and the ids that can never be sent with the reason.</summary>
public sealed record OutboxResult(IReadOnlyCollection<long> Sent, IReadOnlyDictionary<long, string> Parked)
{
    public static OutboxResult None { get; } = new([], new Dictionary<long, string>());
}
