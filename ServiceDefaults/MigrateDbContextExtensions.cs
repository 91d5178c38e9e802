using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Microsoft.Extensions.Hosting;

public static class MigrateDbContextExtensions
{
    /// <summary>
    /// Applies <typeparamref name="TContext"/>'s EF Core migrations when the host starts, before it serves
    /// requests. EF Core creates the database if it is missing and takes a lock, so several instances
    /// starting together migrate once.
    /// </summary>
    public static IServiceCollection AddMigration<TContext>(this IServiceCollection services) where TContext : DbContext =>
        services.AddHostedService<DatabaseMigrator<TContext>>();

    private sealed class DatabaseMigrator<TContext>(IServiceProvider services, ILogger<DatabaseMigrator<TContext>> logger)
        : IHostedService where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            logger.LogInformation("Applying {Count} migration(s) to {Context}: {Migrations}",
                pending.Count, typeof(TContext).Name, string.Join(", ", pending));
            await context.Database.MigrateAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
