namespace ClinicBooking.CustomerService.Data;

/// <summary>Migrates the customers database when the service starts, before it serves requests.</summary>
public sealed class CustomerDatabaseMigrator(IServiceProvider services, IConfiguration configuration, ILogger<CustomerDatabaseMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        await PostgresDatabase.MigrateAsync(scope.ServiceProvider.GetRequiredService<CustomerDbContext>(),
            configuration.GetConnectionString(ResourceNames.CustomersDatabase)!, logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
