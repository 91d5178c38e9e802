using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using MassTransit;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Customers;

/// <summary>
/// Publishes the customers' standing changes (<see cref="CustomerEvent"/>) to the cells, in the order they
/// were committed, and stamps them sent once the broker confirmed them; what the broker did not take is
/// tried again on the next round. A change may be published twice (a crash between confirm and stamp): the
/// cells keep the newest by its time, so a repeat changes nothing.
/// </summary>
public sealed class CustomerEventsPublisher(IServiceScopeFactory scopes, TimeProvider clock, ILogger<CustomerEventsPublisher> logger)
    : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);
    private const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                while (await PublishBatchAsync(stoppingToken) == BatchSize)
                {
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Could not publish customer standing changes; retrying on the next round");
            }
        }
    }

    private async Task<int> PublishBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustomerDbContext>();
        var bus = scope.ServiceProvider.GetRequiredService<IBus>();
        // The context retries transient failures, so its transaction runs inside its execution strategy; a
        // retried round may publish a change again, which the cells ignore.
        return await db.Database.CreateExecutionStrategy().ExecuteAsync(async token =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(token);
            var events = await db.CustomerEvents
                .FromSql($"SELECT * FROM customer_events WHERE sent_at IS NULL ORDER BY id LIMIT {BatchSize} FOR UPDATE SKIP LOCKED")
                .ToListAsync(token);
            foreach (var e in events)
            {
                await bus.Publish(new CustomerStatusChanged(e.CustomerId, e.IsActive, e.ChangedAt), token);
                e.SentAt = clock.UtcNowMicroseconds();
            }
            await db.SaveChangesAsync(token);
            await transaction.CommitAsync(token);
            return events.Count;
        }, ct);
    }
}
