using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.Messages;
using ClinicBooking.Messaging.Outbox;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>
/// The cell's outbox for the messaging building block: one per shard it serves, holding messages about
/// bookings, each built from its booking as it is when sent. The booking statements write the rows
/// (<see cref="OutboxWriter"/>) and hand them to the <see cref="OutboxChannel{T}"/> of their type once committed.
/// </summary>
public sealed class BookingOutbox(ShardDatabases shards, OutboxPublisher publisher) : IOutboxStore<BookingOutboxMessage>
{
    public IReadOnlyCollection<int> Databases => [.. shards.Shards];

    public DbContext CreateContext(int database) => shards.CreateContext(database);

    public async Task<OutboxResult> RedriveAsync(DbContext context, int database, IReadOnlyList<BookingOutboxMessage> rows, CancellationToken ct)
    {
        var db = (ClinicDbContext)context;
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
        var parked = questions.Except(toAsk).ToDictionary(r => r.Id,
            _ => "Its booking has ended and its slot was removed: there is no slot left to ask about.");
        var events = rows.Where(r => r.Kind == OutboxKind.BookingStatusChanged).ToList();
        var sent = new List<long>();
        if (await publisher.PublishAsync([.. toAsk.Select(r => OutboxRow.Of(r).Carrying(database, BookingMessages.VerifyCustomer(
                bookings[r.BookingId], clinics[r.ClinicId].TimeZone, clinics[r.ClinicId].MaxActiveBookingsPerCustomer)))], ct))
        {
            sent.AddRange(toAsk.Select(r => r.Id));
        }
        if (await publisher.PublishAsync([.. events.Select(r => OutboxRow.Of(r).Carrying(database,
                BookingMessages.StatusChanged(bookings[r.BookingId], clinics[r.ClinicId].TimeZone)))], ct))
        {
            sent.AddRange(events.Select(r => r.Id));
        }
        return new OutboxResult(sent, parked);
    }
}

public static class BookingOutboxExtensions
{
    /// <summary>
    /// The shards' outbox: questions to CustomerService sent right after each commit in batches at most every
    /// 2 ms (a booking request waits for the answer), status events at most every 50 ms (nobody waits for
    /// them); re-driven, parked, purged and counted by the building block.
    /// </summary>
    public static IHostApplicationBuilder AddBookingOutbox(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<OutboxPublisher>();
        builder.AddOutbox<BookingOutboxMessage, BookingOutbox>();
        builder.AddOutboxChannel<VerifyCustomer>(TimeSpan.FromMilliseconds(2), services => services.GetRequiredService<OutboxPublisher>().PublishAsync);
        builder.AddOutboxChannel<BookingStatusChanged>(TimeSpan.FromMilliseconds(50), services => services.GetRequiredService<OutboxPublisher>().PublishAsync);
        return builder;
    }
}
