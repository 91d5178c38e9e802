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
    ShardDatabases shards, OutboxPublisher publisher, IOptions<OutboxOptions> options,
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

    /// <summary>
    /// Publishes one batch of a shard's overdue unsent messages; returns how many rows it settled (sent or
    /// parked). A message that can never be sent is parked, not retried, so it never holds back the rows
    /// behind it; a batch the broker did not take stays unsent for the next round.
    /// </summary>
    private async Task<int> RedriveBatchAsync(int shard, CancellationToken ct)
    {
        await using var db = shards.CreateContext(shard);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var rows = await db.OutboxMessages
            .FromSql($"""
                SELECT * FROM outbox_messages
                 WHERE sent_at IS NULL AND parked_at IS NULL AND created_at < now() - {options.Value.RedeliveryDelay}
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
        var clinics = await db.Clinics.AsNoTracking().Where(c => clinicIds.Contains(c.Id))
            .ToDictionaryAsync(c => c.Id, c => new { c.TimeZone, c.MaxActiveBookingsPerCustomer }, ct);

        var questions = rows.Where(r => r.Kind == OutboxKind.VerifyCustomer).ToList();
        // A question is asked again even when its booking was decided meanwhile: the saga ignores the late answer.
        // One whose booking has lost its slot (ended, and the slot removed) has nothing left to ask: parked.
        var toAsk = questions.Where(r => bookings[r.BookingId].BookingSlotId is not null).ToList();
        var parked = questions.Except(toAsk).ToList();
        var events = rows.Where(r => r.Kind == OutboxKind.BookingStatusChanged).ToList();
        var sent = new List<OutboxMessage>();
        if (await publisher.PublishAsync([.. toAsk.Select(r => OutboxRow.Of(r).Carrying(shard, SagaMessages.VerifyCustomer(bookings[r.BookingId], clinics[r.ClinicId].TimeZone, clinics[r.ClinicId].MaxActiveBookingsPerCustomer)))], ct))
        {
            sent.AddRange(toAsk);
        }
        if (await publisher.PublishAsync([.. events.Select(r => OutboxRow.Of(r).Carrying(shard, SagaMessages.StatusChanged(bookings[r.BookingId], clinics[r.ClinicId].TimeZone)))], ct))
        {
            sent.AddRange(events);
        }
        var sentIds = sent.Select(r => r.Id).ToList();
        var parkedIds = parked.Select(r => r.Id).ToList();
        await db.OutboxMessages.Where(m => sentIds.Contains(m.Id)).ExecuteUpdateAsync(u => u.SetProperty(m => m.SentAt, _ => DateTimeOffset.UtcNow), ct);
        await db.OutboxMessages.Where(m => parkedIds.Contains(m.Id)).ExecuteUpdateAsync(u => u
            .SetProperty(m => m.ParkedAt, _ => DateTimeOffset.UtcNow)
            .SetProperty(m => m.ParkedReason, "Its booking has ended and its slot was removed: there is no slot left to ask about."), ct);
        await transaction.CommitAsync(ct);
        if (sentIds.Count > 0 || parkedIds.Count > 0)
        {
            logger.LogInformation("Re-drove {Sent} outbox messages of shard {Shard}; parked {Parked} that can never be sent",
                sentIds.Count, shard, parkedIds.Count);
        }
        return sentIds.Count + parkedIds.Count;
    }
}
