using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql;

namespace ClinicBooking.Shared;

/// <summary>What both services do alike with their PostgreSQL databases.</summary>
internal static class PostgresDatabase
{
    /// <summary>
    /// Brings the context's database (at <paramref name="connectionString"/>: a context's own hides the password)
    /// up to date: creates it if it is missing, then applies the pending EF Core migrations (EF Core takes a
    /// lock, so several instances starting together migrate once).
    /// </summary>
    public static async Task MigrateAsync(DbContext context, string connectionString, ILogger logger, CancellationToken ct)
    {
        await EnsureExistsAsync(connectionString, ct);
        // Migrating a new database would otherwise first query the absent history table and log that as a
        // failed command: an error on every first start.
        await context.Database.GetService<IHistoryRepository>().CreateIfNotExistsAsync(ct);
        var pending = (await context.Database.GetPendingMigrationsAsync(ct)).ToList();
        logger.LogInformation("Applying {Count} migration(s) to {Database}: {Migrations}",
            pending.Count, new NpgsqlConnectionStringBuilder(connectionString).Database, string.Join(", ", pending));
        await context.Database.MigrateAsync(ct);
    }

    /// <summary>
    /// Creates the connection string's database if it is missing. EF Core would create it too, but only
    /// after a failed connection that it logs as an error, which would flag a healthy first start as failing
    /// in the dashboard.
    /// </summary>
    private static async Task EnsureExistsAsync(string connectionString, CancellationToken ct)
    {
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database
            ?? throw new InvalidOperationException("The connection string names no database.");
        var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(ct);
        await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection);
        exists.Parameters.Add(new NpgsqlParameter { Value = database });
        if (await exists.ExecuteScalarAsync(ct) is not null)
        {
            return;
        }
        try
        {
            // Identifiers cannot be parameters; quote it as one.
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"")}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Another instance created it meanwhile.
        }
    }

    /// <summary>A check constraint's condition: <paramref name="column"/> holds one of <paramref name="values"/>.</summary>
    public static string OneOf(string column, IEnumerable<string> values) =>
        $"{column} IN ({string.Join(", ", values.Select(v => $"'{v.Replace("'", "''")}'"))})";

    /// <summary>
    /// The current instant rounded down to whole microseconds, PostgreSQL's precision, so what a write
    /// returns equals what every later read returns.
    /// </summary>
    public static DateTimeOffset UtcNowMicroseconds(this TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.Ticks % 10));
    }
}

/// <summary>
/// Migrates a service's database (<see cref="PostgresDatabase.MigrateAsync"/>) when the service starts, before it
/// consumes or serves anything: <c>services.AddDatabaseMigrator&lt;TContext&gt;(connection string name)</c>.
/// </summary>
internal sealed class DatabaseMigrator<TContext>(IServiceProvider services, string connectionName) : IHostedService
    where TContext : DbContext
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString(connectionName)
            ?? throw new InvalidOperationException($"The connection string {connectionName} is not set.");
        await PostgresDatabase.MigrateAsync(db, connectionString, services.GetRequiredService<ILogger<DatabaseMigrator<TContext>>>(), cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static class DatabaseMigratorExtensions
{
    public static IServiceCollection AddDatabaseMigrator<TContext>(this IServiceCollection services, string connectionName) where TContext : DbContext =>
        services.AddHostedService(provider => new DatabaseMigrator<TContext>(provider, connectionName));
}
