namespace ClinicBooking.NotificationService.Data;

/// <summary>Migrates the notifications database when the service starts, before it consumes or serves anything.</summary>
public sealed class NotificationDatabaseMigrator(IServiceProvider services, IConfiguration configuration, ILogger<NotificationDatabaseMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        await PostgresDatabase.MigrateAsync(db, configuration.GetConnectionString(ResourceNames.NotificationsDatabase)!, logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
