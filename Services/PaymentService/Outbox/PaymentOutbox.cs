using ClinicBooking.Messages;
using ClinicBooking.Messaging.Outbox;
using ClinicBooking.PaymentService.Data;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.PaymentService.Outbox;

/// <summary>
/// PaymentService's outbox for the messaging building block: the bookings paid when booked, published to the cells
/// (each confirms its own). A booking waits for it, so the re-driver sends it at once (<c>Outbox:RedeliveryDelay</c>
/// 0, every 250 ms).
/// </summary>
public sealed class PaymentOutbox(DbContextOptions<PaymentDbContext> options, IBus bus, ILogger<PaymentOutbox> logger) : IOutboxStore<PaymentOutboxMessage>
{
    public IReadOnlyCollection<int> Databases { get; } = [0];

    public DbContext CreateContext(int database) => new PaymentDbContext(options);

    public async Task<OutboxResult> RedriveAsync(DbContext db, int database, IReadOnlyList<PaymentOutboxMessage> rows, CancellationToken ct)
    {
        var sent = await OutboxPublishing.TryAsync(rows.Count, "booking payments", async token =>
        {
            foreach (var row in rows)
            {
                await bus.Publish(new BookingPaid(row.BookingId, row.ClinicId, row.PaymentId, row.PaidAt),
                    publish => publish.MessageId = row.MessageId, token);
            }
        }, logger, ct);
        return sent ? new OutboxResult([.. rows.Select(r => r.Id)], new Dictionary<long, string>()) : OutboxResult.None;
    }
}
