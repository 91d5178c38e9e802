using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using ClinicBooking.Messaging.Outbox;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// The messaging building block's outbox, as CustomerService uses it, against a real PostgreSQL: a change and its
/// message commit together, the re-driver sends it and stamps it, and the counts tell operators what waits.
/// </summary>
public sealed class OutboxTests(ScratchPostgres postgres) : IAsyncLifetime
{
    private CustomerServiceHost _service = null!;

    public async ValueTask InitializeAsync() => _service = await CustomerServiceHost.StartAsync(postgres, $"outbox_{Guid.NewGuid():N}");

    public ValueTask DisposeAsync() => _service.DisposeAsync();

    [Fact]
    public async Task A_deactivation_and_its_message_commit_together_and_the_message_goes_out_once_stamped()
    {
        var customer = await _service.NewCustomerAsync("Dee Deactivated");
        var changedAt = await _service.WithDbAsync(async db =>
        {
            (await db.Customers.SingleAsync(c => c.Id == customer)).Deactivate(DateTimeOffset.UtcNow);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            return await db.OutboxMessages.Where(m => m.CustomerId == customer && m.Kind == CustomerMessageKind.CustomerStatusChanged)
                .Select(m => m.CreatedAt).SingleAsync();
        });

        Assert.True(await _service.Harness.Published.Any<CustomerStatusChanged>(m =>
            m.Context.Message.CustomerId == customer && !m.Context.Message.IsActive && m.Context.Message.ChangedAt == changedAt, TestContext.Current.CancellationToken));
        await WaitUntilAsync(() => _service.WithDbAsync(db => db.OutboxMessages.Where(m => m.CustomerId == customer).AllAsync(m => m.SentAt != null)));
        var stats = _service.Services.GetRequiredService<OutboxStats<CustomerOutboxMessage>>();
        Assert.Equal(0, Assert.Single(await stats.CountAsync(TestContext.Current.CancellationToken)).Unsent);
    }

    [Fact]
    public async Task A_change_that_rolls_back_sends_nothing()
    {
        var customer = await _service.NewCustomerAsync("Rolf Rollback");
        await _service.WithDbAsync(async db =>
        {
            await using var transaction = await db.Database.BeginTransactionAsync(TestContext.Current.CancellationToken);
            (await db.Customers.SingleAsync(c => c.Id == customer)).Deactivate(DateTimeOffset.UtcNow);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
            await transaction.RollbackAsync(TestContext.Current.CancellationToken);
            return 0;
        });
        // No row, so nothing can ever be sent for it; a later change of someone else goes out as usual.
        Assert.False(await _service.WithDbAsync(db => db.OutboxMessages.AnyAsync(m => m.CustomerId == customer && m.Kind == CustomerMessageKind.CustomerStatusChanged)));
        var other = await _service.NewCustomerAsync("Otto Other");
        await _service.WithDbAsync(async db =>
        {
            (await db.Customers.SingleAsync(c => c.Id == other)).Deactivate(DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
        Assert.True(await _service.Harness.Published.Any<CustomerStatusChanged>(m => m.Context.Message.CustomerId == other, TestContext.Current.CancellationToken));
    }

    /// <summary>NotificationService learns how to reach a customer from the same outbox: when they are created and when their email changes.</summary>
    [Fact]
    public async Task A_new_customer_and_a_changed_email_send_the_contact_details()
    {
        var customer = await _service.NewCustomerAsync("Cora Contact");
        Assert.True(await _service.Harness.Published.Any<CustomerContactChanged>(m =>
            m.Context.Message.CustomerId == customer && m.Context.Message.Name == "Cora Contact" && m.Context.Message.IsActive, TestContext.Current.CancellationToken));

        await _service.WithDbAsync(async db =>
        {
            var saved = await db.Customers.SingleAsync(c => c.Id == customer);
            saved.SetFields(saved.Name, "cora.new@example.com", saved.Phone, DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
        Assert.True(await _service.Harness.Published.Any<CustomerContactChanged>(m =>
            m.Context.Message.CustomerId == customer && m.Context.Message.Email == "cora.new@example.com", TestContext.Current.CancellationToken));
        // A change that changes nothing writes nothing.
        await _service.WithDbAsync(async db =>
        {
            var saved = await db.Customers.SingleAsync(c => c.Id == customer);
            saved.SetFields(saved.Name, saved.Email, saved.Phone, DateTimeOffset.UtcNow);
            return await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        });
        Assert.Equal(2, await _service.WithDbAsync(db => db.OutboxMessages.CountAsync(m => m.CustomerId == customer && m.Kind == CustomerMessageKind.CustomerContactChanged)));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The condition did not hold within 10 s.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}
