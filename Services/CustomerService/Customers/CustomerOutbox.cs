using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Customers;

/// <summary>
/// CustomerService's outbox for the messaging building block: the customers' standing changes, which every cell
/// must hear of, and how to reach each customer, which NotificationService keeps. Nothing waits for them, so none is sent right after its commit: the re-driver sends them all,
/// with no delay (<c>Outbox:RedeliveryDelay</c> 0, every <c>Outbox:SweepInterval</c>, 250 ms). Each message says
/// how the customer stands when it is sent, stamped with the time of the change that wrote it (the database's
/// clock); the cells keep the newest, so a repeat or a late one changes nothing and the last one is the truth.
/// </summary>
public sealed class CustomerOutbox(DbContextOptions<CustomerDbContext> options, IBus bus, ILogger<CustomerOutbox> logger)
    : IOutboxStore<CustomerOutboxMessage>
{
    public IReadOnlyCollection<int> Databases { get; } = [0];

    public DbContext CreateContext(int database) => new CustomerDbContext(options);

    public async Task<OutboxResult> RedriveAsync(DbContext context, int database, IReadOnlyList<CustomerOutboxMessage> rows, CancellationToken ct)
    {
        var db = (CustomerDbContext)context;
        var ids = rows.Select(r => r.CustomerId).Distinct().ToList();
        var customers = await db.Customers.AsNoTracking().Where(c => ids.Contains(c.Id)).ToDictionaryAsync(c => c.Id, ct);
        var sent = await OutboxPublishing.TryAsync(rows.Count, "customer messages", async token =>
        {
            foreach (var row in rows)
            {
                var customer = customers[row.CustomerId];
                switch (row.Kind)
                {
                    case CustomerMessageKind.CustomerStatusChanged:
                        await bus.Publish(new CustomerStatusChanged(row.CustomerId, customer.IsActive, row.CreatedAt),
                            message => message.MessageId = row.MessageId, token);
                        break;
                    case CustomerMessageKind.CustomerContactChanged:
                        await bus.Publish(new CustomerContactChanged(row.CustomerId, customer.Name, customer.Email, customer.Phone, customer.IsActive, row.CreatedAt),
                            message => message.MessageId = row.MessageId, token);
                        break;
                }
            }
        }, logger, ct);
        return sent ? new OutboxResult([.. rows.Select(r => r.Id)], new Dictionary<long, string>()) : OutboxResult.None;
    }
}
