using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
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
    public static IServiceCollection AddMigration<TContext>(this IServiceCollection services, string connectionName) where TContext : DbContext =>
        services.AddHostedService(sp => new DatabaseMigrator<TContext>(
            sp, sp.GetRequiredService<IConfiguration>().GetConnectionString(connectionName)
                ?? throw new InvalidOperationException($"There is no connection string '{connectionName}'."),
            sp.GetRequiredService<ILogger<DatabaseMigrator<TContext>>>()));

    private sealed class DatabaseMigrator<TContext>(IServiceProvider services, string connectionString, ILogger<DatabaseMigrator<TContext>> logger)
        : IHostedService where TContext : DbContext
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = services.CreateAsyncScope();
            var context = scope.ServiceProvider.GetRequiredService<TContext>();
            await PostgresDatabase.EnsureExistsAsync(connectionString, cancellationToken);
            await context.Database.CreateMigrationsHistoryAsync(cancellationToken);
            var pending = (await context.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
            logger.LogInformation("Applying {Count} migration(s) to {Context}: {Migrations}",
                pending.Count, typeof(TContext).Name, string.Join(", ", pending));
            await context.Database.MigrateAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

public static class PostgresDatabase
{
    /// <summary>
    /// Lets pooled connections keep what they have learnt. Npgsql prepares the statements a connection runs
    /// repeatedly: the saga's and the APIs' statements repeat thousands of times a minute, and once prepared,
    /// PostgreSQL stops parsing and planning them on every call. And a connection going back to the pool is
    /// not reset: the reset is several statements (RESET ALL, advisory unlock, ...) before the next command,
    /// for session state that the services never set (they only use SET LOCAL and transaction-level locks).
    /// </summary>
    public static Npgsql.NpgsqlConnectionStringBuilder WithReusedSessions(this Npgsql.NpgsqlConnectionStringBuilder connection)
    {
        connection.MaxAutoPrepare = 64;
        connection.AutoPrepareMinUsages = 2;
        connection.NoResetOnClose = true;
        return connection;
    }

    /// <summary>
    /// Creates the connection string's database if it is missing. EF Core would create it too, but only
    /// after a failed connection that it logs as an error, which would flag a healthy first start as failing
    /// in the dashboard.
    /// </summary>
    public static async Task EnsureExistsAsync(string connectionString, CancellationToken ct)
    {
        var target = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        var database = target.Database ?? throw new InvalidOperationException("The connection string names no database.");
        var maintenance = new Npgsql.NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new Npgsql.NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(ct);
        await using var exists = new Npgsql.NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.Add(new Npgsql.NpgsqlParameter { Value = database });
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }
        try
        {
            // Identifiers cannot be parameters; quote it as one.
            await using var create = new Npgsql.NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (Npgsql.PostgresException ex) when (ex.SqlState == Npgsql.PostgresErrorCodes.DuplicateDatabase)
        {
            // Another instance created it meanwhile.
        }
    }
}

public static class MigrationHistoryExtensions
{
    /// <summary>
    /// Creates EF Core's migrations history table if it is missing. Migrating a new database would otherwise
    /// first query the absent table and log that as a failed command: an error on every first start.
    /// </summary>
    public static Task CreateMigrationsHistoryAsync(this Microsoft.EntityFrameworkCore.Infrastructure.DatabaseFacade database, CancellationToken ct) =>
        Microsoft.EntityFrameworkCore.Infrastructure.AccessorExtensions
            .GetService<Microsoft.EntityFrameworkCore.Migrations.IHistoryRepository>(database)
            .CreateIfNotExistsAsync(ct);
}
