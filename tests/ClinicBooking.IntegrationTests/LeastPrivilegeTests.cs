using Aspire.Hosting.Testing;
using Npgsql;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ClinicBooking.IntegrationTests;

/// <summary>What each service's credentials can reach: its own database, as its owner, and nothing more.</summary>
public sealed class LeastPrivilegeTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] ServiceDatabases =
        [ResourceNames.CustomersDatabase, ResourceNames.IdentityDatabase, ResourceNames.NotificationsDatabase,
         ResourceNames.ConsultationsDatabase, ResourceNames.PaymentsDatabase, ResourceNames.ShardDatabase(0), ResourceNames.ShardDatabase(1)];

    [Fact]
    public async Task Each_service_connects_as_a_role_that_owns_its_database_and_nothing_else()
    {
        foreach (var name in ServiceDatabases)
        {
            await using var connection = await app.OpenDatabaseAsync(name);
            await using var command = new NpgsqlCommand("""
                SELECT r.rolname, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
                       pg_get_userbyid(d.datdba)
                FROM pg_roles r, pg_database d
                WHERE r.rolname = current_user AND d.datname = current_database()
                """, connection);
            await using var reader = await command.ExecuteReaderAsync(Ct);
            Assert.True(await reader.ReadAsync(Ct));
            var role = reader.GetString(0);
            Assert.NotEqual("postgres", role);
            Assert.False(reader.GetBoolean(1) || reader.GetBoolean(2) || reader.GetBoolean(3) || reader.GetBoolean(4) || reader.GetBoolean(5),
                $"{role} (for {name}) has a privilege beyond its database.");
            Assert.Equal(role, reader.GetString(6));
        }
    }

    [Fact]
    public async Task A_services_role_cannot_open_another_services_database()
    {
        var identity = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync(ResourceNames.IdentityDatabase, Ct));
        var customers = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync(ResourceNames.CustomersDatabase, Ct));
        Assert.Equal(identity.Port, customers.Port); // the same server: only the grants keep them apart
        identity.Database = customers.Database;
        identity.Pooling = false;
        await using var connection = new NpgsqlConnection(identity.ConnectionString);
        var refused = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(Ct));
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, refused.SqlState);

        // NotificationService keeps contact details of its own; it cannot read the customers database either.
        var notifications = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync(ResourceNames.NotificationsDatabase, Ct))
        {
            Database = customers.Database,
            Pooling = false,
        };
        await using var other = new NpgsqlConnection(notifications.ConnectionString);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => other.OpenAsync(Ct))).SqlState);

        // ConsultationService holds join links; it reaches no other service's data, nor do they reach its.
        var consultations = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync(ResourceNames.ConsultationsDatabase, Ct))
        {
            Database = customers.Database,
            Pooling = false,
        };
        await using var third = new NpgsqlConnection(consultations.ConnectionString);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => third.OpenAsync(Ct))).SqlState);
        var intoConsultations = new NpgsqlConnectionStringBuilder(notifications.ConnectionString) { Database = consultations.Database };
        await using var fourth = new NpgsqlConnection(intoConsultations.ConnectionString);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => fourth.OpenAsync(Ct))).SqlState);

        // PaymentService holds what is paid (PCI-DSS scope): no other service may open its database, and it opens no other.
        var payments = new NpgsqlConnectionStringBuilder(await app.App.GetConnectionStringAsync(ResourceNames.PaymentsDatabase, Ct))
        {
            Database = customers.Database,
            Pooling = false,
        };
        await using var fifth = new NpgsqlConnection(payments.ConnectionString);
        Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => fifth.OpenAsync(Ct))).SqlState);
        foreach (var service in new[] { notifications.ConnectionString, consultations.ConnectionString })
        {
            var intoPayments = new NpgsqlConnectionStringBuilder(service) { Database = payments.Database, Pooling = false };
            await using var sixth = new NpgsqlConnection(intoPayments.ConnectionString);
            Assert.Equal(PostgresErrorCodes.InsufficientPrivilege, (await Assert.ThrowsAsync<PostgresException>(() => sixth.OpenAsync(Ct))).SqlState);
        }
    }

    /// <summary>
    /// Issue 26, finding 9: the keys that sign every token were stored as plain PEM, so a copy of the identity
    /// database was enough to mint tokens for anyone. They are stored encrypted with a secret kept apart.
    /// </summary>
    [Fact]
    public async Task Token_keys_are_stored_encrypted()
    {
        await using var connection = await app.OpenDatabaseAsync(ResourceNames.IdentityDatabase);
        await using var command = new Npgsql.NpgsqlCommand("SELECT use, private_key_pem FROM signing_keys", connection);
        await using var reader = await command.ExecuteReaderAsync(TestContext.Current.CancellationToken);
        var keys = 0;
        while (await reader.ReadAsync(TestContext.Current.CancellationToken))
        {
            keys++;
            var pem = reader.GetString(1);
            Assert.StartsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----", pem);
            Assert.DoesNotContain("-----BEGIN PRIVATE KEY-----", pem);
        }
        Assert.Equal(2, keys);
    }

    [Fact]
    public async Task The_broker_has_no_guest_login()
    {
        var broker = new Uri(await app.App.GetConnectionStringAsync(ResourceNames.RabbitMq, Ct) ?? throw new InvalidOperationException());
        var guest = new ConnectionFactory { HostName = broker.Host, Port = broker.Port, UserName = "guest", Password = "guest" };
        var refused = await Assert.ThrowsAsync<BrokerUnreachableException>(async () => await guest.CreateConnectionAsync(Ct));
        Assert.IsType<AuthenticationFailureException>(refused.InnerException);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public void Secret_files_are_readable_by_their_owner_only()
    {
        var secrets = Path.Combine(app.DataDirectory, "secrets");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(secrets));
        var files = Directory.GetFiles(secrets);
        Assert.Contains(files, f => Path.GetFileName(f) == "identity-admin");
        Assert.All(files, file => Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file)));
    }
}
