using ClinicBooking.IdentityService.Accounts;
using ClinicBooking.IdentityService.Connect;

namespace ClinicBooking.IdentityService.Data;

/// <summary>
/// Before the service serves anything: migrates its database, reads (or first creates) the token keys, and
/// brings the roles, the first administrator and the registered clients in line with configuration.
/// </summary>
public sealed class IdentityDatabaseInitializer(
    IServiceProvider services, IConfiguration configuration, TokenKeys keys, TimeProvider clock, ILogger<IdentityDatabaseInitializer> logger)
    : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        await PostgresDatabase.MigrateAsync(db, configuration.GetConnectionString(ResourceNames.IdentityDatabase)!, logger, cancellationToken);
        await keys.LoadAsync(db, clock, cancellationToken);
        await scope.ServiceProvider.GetRequiredService<AccountSeeder>().SeedAsync(cancellationToken);
        await scope.ServiceProvider.GetRequiredService<ClientRegistry>().SyncAsync(cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
