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
        builder.AddParameter($"{serverName}-password", AppHostConfiguration.GeneratedSecret(dataDirectory, serverName), secret: true);

    private static async Task ProbePostgresAsync(string connectionString, CancellationToken ct)
    {
        // No pooling: an idle pooled session would keep the server busy for nothing after the probe.
        await using var connection = new NpgsqlConnection(
            new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT 1", connection);
        await command.ExecuteScalarAsync(ct);
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
