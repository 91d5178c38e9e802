using ClinicBooking.CustomerService.Bookings;
using ClinicBooking.CustomerService.Customers;
using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messaging.Outbox;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// CustomerService's consumers and outbox as the service wires them, on a migrated database of the scratch
/// server (a database of its own for each test), with MassTransit's in-memory test harness in place of RabbitMQ.
/// </summary>
public sealed class CustomerServiceHost : IAsyncDisposable
{
    private readonly IHost _host;

    private CustomerServiceHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public ITestHarness Harness => _host.Services.GetRequiredService<ITestHarness>();

    public static async Task<CustomerServiceHost> StartAsync(ScratchPostgres postgres, string database)
    {
        var connectionString = await postgres.CreateDatabaseAsync(database);
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Outbox:RedeliveryDelay"] = "00:00:00",
            ["Outbox:SweepInterval"] = "00:00:00.050",
        });
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddDbContext<CustomerDbContext>(options => options.UseNpgsql(connectionString));
        builder.Services.AddOptions<BookingCapsOptions>();
        builder.AddOutbox<CustomerOutboxMessage, CustomerOutbox>();
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<VerifyCustomersConsumer>();
            // A first publish waits for EF to compile the re-driver's queries: seconds on a busy 2-core machine, and
            // more than ten with the other tiers running beside it (a fresh-clone CI saw nothing for 10 s, then failed).
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(20));
        });
        var host = builder.Build();
        await using (var scope = host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<CustomerDbContext>().Database.MigrateAsync();
        }
        await host.StartAsync();
        return new CustomerServiceHost(host);
    }

    /// <summary>A new customer, saved as the service saves one.</summary>
    public async Task<long> NewCustomerAsync(string name)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustomerDbContext>();
        var now = DateTimeOffset.UtcNow;
        var customer = new Customer { Name = "", Email = "", CreatedAt = now };
        customer.SetFields(name, $"{Guid.NewGuid():N}@example.com", null, now);
        db.Customers.Add(customer);
        await db.SaveChangesAsync();
        return customer.Id;
    }

    /// <summary>Runs <paramref name="work"/> on a fresh context of the service's database.</summary>
    public async Task<T> WithDbAsync<T>(Func<CustomerDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        return await work(scope.ServiceProvider.GetRequiredService<CustomerDbContext>());
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
