namespace ClinicBooking.ConsultationService.Data;

/// <summary>Migrates the consultations database when the service starts, before it consumes or serves anything.</summary>
public sealed class ConsultationDatabaseMigrator(IServiceProvider services, IConfiguration configuration, ILogger<ConsultationDatabaseMigrator> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationDbContext>();
        await PostgresDatabase.MigrateAsync(db, configuration.GetConnectionString(ResourceNames.ConsultationsDatabase)!, logger, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
