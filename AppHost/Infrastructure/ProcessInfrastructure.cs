using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using RabbitMQ.Client;
using StackExchange.Redis;

namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>
/// Runs PostgreSQL, Redis and RabbitMQ from the OS packages as Aspire executable resources, for machines
/// without a container runtime. Each server gets ports Aspire assigns, a health check that opens a real
/// session, and a data directory under <paramref name="dataDirectory"/> that survives restarts.
/// </summary>
public sealed class ProcessInfrastructure(IDistributedApplicationBuilder builder, string dataDirectory) : IInfrastructure
{
    private readonly string _scripts = Path.Combine(builder.AppHostDirectory, "Infrastructure", "scripts");

    private readonly Dictionary<string, DatabaseOwners> _owners = [];

    public InfrastructureResource AddPostgres(string serverName, string connectionName, string databaseName)
    {
        var password = Secret(serverName);
        var owners = _owners[serverName] = new DatabaseOwners();
        // The server's own connection string (the superuser's) is for the health probe, which also provisions
        // each database's owning role; services get their database's role (AddDatabase).
        var server = AddServer(serverName, "postgres.sh",
                r => ReferenceExpression.Create(
                    $"Host=127.0.0.1;Port={r.PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={password.Resource}"),
                async (connectionString, ct) =>
                {
                    await ProbePostgresAsync(connectionString, ct);
                    await owners.ProvisionAsync(connectionString, ct);
                })
            .WithEnvironment("PG_DATA", Path.Combine(dataDirectory, serverName))
            .WithEnvironment("POSTGRES_PASSWORD", password)
            .WithTcpEndpoint(ServerProcessResource.PrimaryEndpointName, "PG_PORT");

        return AddDatabase(new(server, server), connectionName, databaseName);
    }

    /// <summary>
    /// A database on the server, owned by a role of its own (<see cref="DatabaseOwners"/>) that the connection
    /// string names: a service reaches its database and no other.
    /// </summary>
    public InfrastructureResource AddDatabase(InfrastructureResource server, string connectionName, string databaseName)
    {
        var process = (ServerProcessResource)server.WaitTarget.Resource;
        var role = $"{databaseName}_owner";
        var password = AppHostConfiguration.GeneratedSecret(dataDirectory, $"{process.Name}-{role}");
        _owners[process.Name].Add(databaseName, role, password);
        var secret = builder.AddParameter($"{process.Name}-{databaseName}-owner-password", password, secret: true);
        var database = builder.AddConnectionString(connectionName, ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={process.PrimaryEndpoint.Property(EndpointProperty.Port)};Username={role};Password={secret.Resource};Database={databaseName}"));
        return new(database, server.WaitTarget);
    }

    /// <summary>
    /// A hot standby made from the primary with pg_basebackup at its first start, streaming from it after (the
    /// script <c>postgres-replica.sh</c>), as the primary's replication role (created, with no other right, when
    /// the primary first reports healthy). Healthy once it answers as a server in recovery; it starts after the
    /// primary is healthy, and services reading from it do not wait for it.
    /// </summary>
    public IResourceBuilder<IResource> AddReplica(InfrastructureResource primary, string replicaName)
    {
        var primaryProcess = (ServerProcessResource)primary.WaitTarget.Resource;
        var superuser = Secret(primaryProcess.Name);
        var replicationPassword = AppHostConfiguration.GeneratedSecret(dataDirectory, $"{primaryProcess.Name}-{ReplicationRole}");
        _owners[primaryProcess.Name].AddReplicationRole(ReplicationRole, replicationPassword);
        var replication = SecretParameter($"{primaryProcess.Name}-replication-password", replicationPassword);
        return AddServer(replicaName, "postgres-replica.sh",
                r => ReferenceExpression.Create(
                    $"Host=127.0.0.1;Port={r.PrimaryEndpoint.Property(EndpointProperty.Port)};Username=postgres;Password={superuser.Resource}"),
                ProbeReplicaAsync)
            .WithEnvironment("PG_DATA", Path.Combine(dataDirectory, replicaName))
            .WithEnvironment("PRIMARY_PORT", primaryProcess.PrimaryEndpoint.Property(EndpointProperty.Port))
            .WithEnvironment("REPLICATION_USER", ReplicationRole)
            .WithEnvironment("REPLICATION_PASSWORD", replication)
            .WithEnvironment("REPLICA_NAME", replicaName)
            .WithTcpEndpoint(ServerProcessResource.PrimaryEndpointName, "PG_PORT")
            .WaitFor(primary.WaitTarget);
    }

    /// <summary>The database on the replica, as its owner role on the primary (a replica is a copy of the primary's roles too).</summary>
    public InfrastructureResource AddReplicaDatabase(InfrastructureResource primary, IResourceBuilder<IResource> replica, string connectionName, string databaseName)
    {
        var primaryProcess = (ServerProcessResource)primary.WaitTarget.Resource;
        var replicaProcess = (ServerProcessResource)replica.Resource;
        var role = $"{databaseName}_owner";
        var password = builder.AddParameter($"{replicaProcess.Name}-{databaseName}-owner-password",
            AppHostConfiguration.GeneratedSecret(dataDirectory, $"{primaryProcess.Name}-{role}"), secret: true);
        var database = builder.AddConnectionString(connectionName, ReferenceExpression.Create(
            $"Host=127.0.0.1;Port={replicaProcess.PrimaryEndpoint.Property(EndpointProperty.Port)};Username={role};Password={password.Resource};Database={databaseName}"));
        return new(database, replica);
    }

    /// <summary>The role replicas stream as: LOGIN and REPLICATION, nothing else.</summary>
    public const string ReplicationRole = "replicator";

    public InfrastructureResource AddRedis(string name)
    {
        var password = Secret(name);
        var server = AddServer(name, "redis.sh",
                r => ReferenceExpression.Create(
                    $"127.0.0.1:{r.PrimaryEndpoint.Property(EndpointProperty.Port)},password={password.Resource}"),
                ProbeRedisAsync)
            .WithEnvironment("REDIS_DATA", Path.Combine(dataDirectory, name))
            .WithEnvironment("REDIS_PASSWORD", password)
            .WithTcpEndpoint(ServerProcessResource.PrimaryEndpointName, "REDIS_PORT");
        return new(server, server);
    }

    public InfrastructureResource AddRabbitMq(string name)
    {
        var password = Secret(name);
        var server = AddServer(name, "rabbitmq.sh",
                r => ReferenceExpression.Create(
                    $"amqp://clinicbooking:{password.Resource}@127.0.0.1:{r.PrimaryEndpoint.Property(EndpointProperty.Port)}"),
                ProbeRabbitMqAsync)
            .WithEnvironment("RMQ_DATA", Path.Combine(dataDirectory, name))
            .WithEnvironment("RABBITMQ_USER", "clinicbooking")
            .WithEnvironment("RABBITMQ_PASSWORD", password)
            .WithTcpEndpoint(ServerProcessResource.PrimaryEndpointName, "RMQ_PORT")
            // Erlang's own ports get assigned too, so two runs (say, the app and its tests) never collide.
            .WithTcpEndpoint("epmd", "RMQ_EPMD_PORT")
            .WithTcpEndpoint("dist", "RMQ_DIST_PORT");
        return new(server, server);
    }

    private IResourceBuilder<ServerProcessResource> AddServer(string name, string script,
        Func<ServerProcessResource, ReferenceExpression> connectionString,
        Func<string, CancellationToken, Task> probe) =>
        builder.AddServerProcess(name, Path.Combine(_scripts, script), dataDirectory, connectionString, probe);

    /// <summary>
    /// A password generated on the first run and kept in the data directory: the servers store it at
    /// initialisation, so it must stay the same for as long as their data does.
    /// </summary>
    private IResourceBuilder<ParameterResource> Secret(string serverName) =>
        SecretParameter($"{serverName}-password", AppHostConfiguration.GeneratedSecret(dataDirectory, serverName));

    /// <summary>A secret parameter, added once: a primary's and its replicas' resources share it.</summary>
    private IResourceBuilder<ParameterResource> SecretParameter(string name, string value) =>
        builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) is { } existing
            ? builder.CreateResourceBuilder(existing)
            : builder.AddParameter(name, value, secret: true);

    private static async Task ProbePostgresAsync(string connectionString, CancellationToken ct)
    {
        // No pooling: an idle pooled session would keep the server busy for nothing after the probe.
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(ct);
    }

    /// <summary>A replica is ready when it answers, and answers as a standby (a promoted one would take writes).</summary>
    private static async Task ProbeReplicaAsync(string connectionString, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_is_in_recovery()", connection);
        if (await command.ExecuteScalarAsync(ct) is not true)
        {
            throw new InvalidOperationException("The replica is not in recovery: it was promoted, or is no standby.");
        }
    }

    private static async Task ProbeRedisAsync(string connectionString, CancellationToken ct)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(connectionString);
        await redis.GetDatabase().PingAsync();
    }

    private static async Task ProbeRabbitMqAsync(string connectionString, CancellationToken ct)
    {
        var factory = new ConnectionFactory { Uri = new Uri(connectionString) };
        await using var connection = await factory.CreateConnectionAsync(ct);
    }
}

internal static class ServerProcessResourceExtensions
{
    /// <summary>
    /// A server run by <paramref name="script"/> in the foreground, healthy once <paramref name="probe"/> succeeds
    /// with its connection string (a real session, not just a listening port); left out of the manifest.
    /// </summary>
    public static IResourceBuilder<ServerProcessResource> AddServerProcess(this IDistributedApplicationBuilder builder,
        string name, string script, string workingDirectory,
        Func<ServerProcessResource, ReferenceExpression> connectionString, Func<string, CancellationToken, Task> probe)
    {
        var resource = new ServerProcessResource(name, script, workingDirectory, connectionString);
        var healthCheckKey = $"{name}-ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new ConnectionProbeHealthCheck(resource, probe), failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithArgs(resource.Script)
            .WithHealthCheck(healthCheckKey)
            .ExcludeFromManifest();
    }

    /// <summary>
    /// A TCP endpoint on a port Aspire assigns, handed to the script in <paramref name="portVariable"/>. Not
    /// proxied: clients talk straight to the server, with no extra hop.
    /// </summary>
    public static IResourceBuilder<ServerProcessResource> WithTcpEndpoint(
        this IResourceBuilder<ServerProcessResource> builder, string name, string portVariable) =>
        builder.WithEndpoint(name: name, scheme: "tcp", env: portVariable, isProxied: false);
}
