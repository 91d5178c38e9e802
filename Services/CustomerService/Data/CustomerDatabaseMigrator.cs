using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Data;

/// <summary>Migrates the customers database when the service starts, before it serves requests, and warms the saga's queries.</summary>
public sealed class CustomerDatabaseMigrator(IServiceProvider services, IConfiguration configuration, ILogger<CustomerDatabaseMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustomerDbContext>();
        await PostgresDatabase.MigrateAsync(db, configuration.GetConnectionString(ResourceNames.CustomersDatabase)!, logger, cancellationToken);
        await db.Database.CreateExecutionStrategy().ExecuteAsync(async () => await Bookings.VerifyCustomersConsumer.WarmUpAsync(db, cancellationToken));
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
