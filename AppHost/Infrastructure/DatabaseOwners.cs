using Npgsql;

namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>
/// Least privilege on one PostgreSQL server of `processes` mode: each database belongs to a login role of its
/// own (not a superuser, no CREATEDB, CREATEROLE or replication) that its service connects as, and only that role
/// may connect to it. Provisioned as the server first reports healthy, before any service starts; run again at
/// every start, it also hands over a database whose objects an older run created as `postgres`.
/// </summary>
public sealed class DatabaseOwners
{
    private readonly List<(string Database, string Role, string Password)> _databases = [];
    private bool _provisioned;

    private (string Role, string Password)? _replication;

    public void Add(string database, string role, string password) => _databases.Add((database, role, password));

    /// <summary>The role this server's replicas stream as: LOGIN REPLICATION, and no right on any database.</summary>
    public void AddReplicationRole(string role, string password) => _replication = (role, password);

    /// <summary>Creates (or updates) each role and its database, once per AppHost run; <paramref name="superuser"/> connects as `postgres`.</summary>
    public async Task ProvisionAsync(string superuser, CancellationToken ct)
    {
        if (_provisioned)
        {
            return;
        }
        foreach (var (database, role, password) in _databases)
        {
            await using (var server = await OpenAsync(superuser, "postgres", ct))
            {
                // Identifiers cannot be parameters; these are the AppHost's own names, quoted anyway.
                var quotedRole = Quote(role);
                var exists = await ScalarAsync(server, "SELECT 1 FROM pg_roles WHERE rolname = $1", role, ct) is not null;
                await ExecuteAsync(server, exists
                    ? $"ALTER ROLE {quotedRole} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD {Literal(password)}"
                    : $"CREATE ROLE {quotedRole} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD {Literal(password)}", ct);
                if (await ScalarAsync(server, "SELECT 1 FROM pg_database WHERE datname = $1", database, ct) is null)
                {
                    await ExecuteAsync(server, $"CREATE DATABASE {Quote(database)} OWNER {quotedRole}", ct);
                }
                await ExecuteAsync(server, $"ALTER DATABASE {Quote(database)} OWNER TO {quotedRole}", ct);
                await ExecuteAsync(server, $"REVOKE ALL ON DATABASE {Quote(database)} FROM PUBLIC", ct);
                await ExecuteAsync(server, $"GRANT CONNECT, TEMPORARY ON DATABASE {Quote(database)} TO {quotedRole}", ct);
            }
            await using var db = await OpenAsync(superuser, database, ct);
            await ExecuteAsync(db, HandOverSql(role), ct);
        }
        if (_replication is var (replicationRole, replicationPassword))
        {
            await using var server = await OpenAsync(superuser, "postgres", ct);
            var exists = await ScalarAsync(server, "SELECT 1 FROM pg_roles WHERE rolname = $1", replicationRole, ct) is not null;
            await ExecuteAsync(server, $"{(exists ? "ALTER" : "CREATE")} ROLE {Quote(replicationRole)} LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD {Literal(replicationPassword)}", ct);
        }
        _provisioned = true;
    }

    /// <summary>Every schema, table, sequence, view, function and type in the database that `postgres` owns passes to the role.</summary>
    private static string HandOverSql(string role) => $$"""
        DO $$
        DECLARE r record;
        BEGIN
          FOR r IN SELECT nspname FROM pg_namespace
                   WHERE nspowner = 'postgres'::regrole AND nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema' LOOP
            EXECUTE format('ALTER SCHEMA %I OWNER TO %I', r.nspname, {{Literal(role)}});
          END LOOP;
          FOR r IN SELECT c.oid::regclass AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                   WHERE c.relowner = 'postgres'::regrole AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
                     AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
                     AND NOT (c.relkind = 'S' AND EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i'))) LOOP
            EXECUTE format('ALTER TABLE %s OWNER TO %I', r.name, {{Literal(role)}});
          END LOOP;
          FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                   WHERE p.proowner = 'postgres'::regrole AND n.nspname NOT LIKE 'pg\_%' AND n.nspname <> 'information_schema'
                     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e') LOOP
            EXECUTE format('ALTER ROUTINE %s OWNER TO %I', r.name, {{Literal(role)}});
          END LOOP;
        END $$;
        """;

    private static async Task<NpgsqlConnection> OpenAsync(string superuser, string database, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(superuser) { Database = database, Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        return connection;
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, string parameter, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.Add(new NpgsqlParameter { Value = parameter });
        return await command.ExecuteScalarAsync(ct);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"") + "\"";

    private static string Literal(string value) => "'" + value.Replace("'", "''") + "'";
}
