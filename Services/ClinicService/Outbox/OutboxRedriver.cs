using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>
/// Sends whatever the outbox still holds unsent after <see cref="OutboxOptions.RedeliveryDelay"/>: messages a
/// broker outage, a failed publish or a crash left behind. Each message is built from its booking as it is
/// now. Rows are locked with SKIP LOCKED, so several instances of a cell share the work. A message can be
/// sent twice (a crash between confirm and stamp, a slow first attempt), which the consumers are built to
/// ignore; it cannot be lost, nor sent for a change that rolled back.
/// </summary>
public sealed class OutboxRedriver(
    ShardDatabases shards, OutboxPublisher publisher, IOptions<OutboxOptions> options, TimeProvider clock,
    ILogger<OutboxRedriver> logger) : BackgroundService
{
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            foreach (var shard in shards.Shards)
            {
                try
                {
                    while (await RedriveBatchAsync(shard, stoppingToken) == BatchSize)
                    {
                    }
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Re-driving the outbox of shard {Shard} failed; retrying on the next round", shard);
                }
            }
        }
    }

    /// <summary>Publishes one batch of a shard's overdue unsent messages; returns how many rows it settled.</summary>
    private async Task<int> RedriveBatchAsync(int shard, CancellationToken ct)
    {
        await using var db = shards.CreateContext(shard);
        var overdue = clock.GetUtcNow() - options.Value.RedeliveryDelay;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.OutboxMessages
            .FromSql($"""
                SELECT * FROM outbox_messages WHERE sent_at IS NULL AND created_at < {overdue}
                 ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED
                """)
            .AsNoTracking()
            .ToListAsync(ct);
        if (rows.Count == 0)
        {
            return 0;
        }
        // By the bookings' key (clinic_id, id): the id alone would not use it.
        var clinicIds = rows.Select(r => r.ClinicId).Distinct().ToList();
        var bookingIds = rows.Select(r => r.BookingId).Distinct().ToList();
        var bookings = await db.Bookings.AsNoTracking()
            .Where(b => clinicIds.Contains(b.ClinicId) && bookingIds.Contains(b.Id))
            .ToDictionaryAsync(b => b.Id, ct);

        var questions = rows.Where(r => r.Kind == OutboxKind.VerifyCustomer).ToList();
        // A question is asked again even when its booking was decided meanwhile: the saga ignores the late answer.
        // Only one whose booking has lost its slot (ended, and the slot removed) has nothing left to describe.
        var toAsk = questions.Where(r => bookings[r.BookingId].BookingSlotId is not null).ToList();
        var events = rows.Where(r => r.Kind == OutboxKind.BookingStatusChanged).ToList();
        var settled = questions.Except(toAsk).ToList();
        if (await publisher.PublishAsync([.. toAsk.Select(r => OutboxRow.Of(r).Carrying(shard, SagaMessages.VerifyCustomer(bookings[r.BookingId])))], ct))
        {
            settled.AddRange(toAsk);
        }
        if (await publisher.PublishAsync([.. events.Select(r => OutboxRow.Of(r).Carrying(shard, SagaMessages.StatusChanged(bookings[r.BookingId])))], ct))
        {
            settled.AddRange(events);
        }
        var settledIds = settled.Select(r => r.Id).ToList();
        var now = clock.GetUtcNow();
        await db.OutboxMessages.Where(m => settledIds.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, now), ct);
        await transaction.CommitAsync(ct);
        if (settledIds.Count > 0)
        {
            logger.LogInformation("Re-drove {Count} outbox messages of shard {Shard}", settledIds.Count, shard);
        }
        return settledIds.Count;
    }
}
