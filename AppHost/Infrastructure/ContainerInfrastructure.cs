namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>
/// The standard Aspire hosting integrations, for machines with Docker or Podman. Image tags follow the
/// versions that `processes` mode gets from Debian, so both modes run the same servers. Each image is a
/// setting (<c>Infrastructure:Images:postgres|redis|rabbitmq</c>, a full reference such as
/// <c>127.0.0.1:5000/clinicbooking/postgres:15</c>): where Docker Hub cannot be reached, the images that
/// scripts/containers/setup.sh builds from Debian's packages take the public images' place.
/// </summary>
public sealed class ContainerInfrastructure(IDistributedApplicationBuilder builder) : IInfrastructure
{
    public const string ImagesSection = "Infrastructure:Images";

    public InfrastructureResource AddPostgres(string serverName, string connectionName, string databaseName)
    {
        var database = WithConfiguredImage(builder.AddPostgres(serverName).WithImageTag("15"), "postgres")
            .WithDataVolume()
            .AddDatabase(connectionName, databaseName);
        return new(database, database);
    }

    public InfrastructureResource AddDatabase(InfrastructureResource server, string connectionName, string databaseName)
    {
        var first = (IResourceBuilder<PostgresDatabaseResource>)server.Connection;
        var database = builder.CreateResourceBuilder(first.Resource.Parent).AddDatabase(connectionName, databaseName);
        return new(database, database);
    }

    /// <summary>
    /// A container of the same postgres image running the replica script (<c>postgres-replica.sh</c>, bind-mounted):
    /// <c>pg_basebackup</c> from the primary at its first start, a hot standby after, as the primary's replication
    /// role. The primary gets that role and accepts replication connections from other containers: the image
    /// built from Debian's packages does both in its own script (<c>REPLICATION_USER</c>), the public image by the
    /// init file <c>scripts/postgres-init/replication.sh</c> at its first start.
    /// </summary>
    public IResourceBuilder<IResource> AddReplica(InfrastructureResource primary, string replicaName)
    {
        var server = ((IResourceBuilder<PostgresDatabaseResource>)primary.Connection).Resource.Parent;
        var replicationPassword = ReplicationPassword(server);
        var scripts = Path.Combine(builder.AppHostDirectory, "Infrastructure", "scripts");
        // The primary's own image, as configured for it (WithConfiguredImage).
        var image = server.Annotations.OfType<ContainerImageAnnotation>().Last();
        var replica = builder.AddContainer(replicaName, image.Image, image.Tag ?? "latest")
            .WithBindMount(Path.Combine(scripts, "postgres-replica.sh"), "/usr/local/bin/postgres-replica.sh", isReadOnly: true)
            .WithEntrypoint("bash")
            .WithArgs("/usr/local/bin/postgres-replica.sh")
            .WithEnvironment("PG_DATA", "/var/lib/postgresql/data/pgdata")
            .WithEnvironment("PG_PORT", "5432")
            .WithEnvironment("LISTEN_ADDRESS", "0.0.0.0")
            .WithEnvironment("PRIMARY_HOST", server.Name)
            .WithEnvironment("PRIMARY_PORT", "5432")
            .WithEnvironment("REPLICATION_USER", ProcessInfrastructure.ReplicationRole)
            .WithEnvironment("REPLICATION_PASSWORD", replicationPassword)
            .WithEnvironment("REPLICA_NAME", replicaName)
            .WithVolume($"{replicaName}-data", "/var/lib/postgresql/data")
            .WithEndpoint(targetPort: 5432, name: "tcp", scheme: "tcp")
            .WaitFor(primary.WaitTarget);
        if (image.Registry is not null)
        {
            replica.WithImageRegistry(image.Registry);
        }
        return replica;
    }

    /// <summary>The database on the replica, with the primary's credentials (a replica holds the primary's roles).</summary>
    public InfrastructureResource AddReplicaDatabase(InfrastructureResource primary, IResourceBuilder<IResource> replica, string connectionName, string databaseName)
    {
        var server = ((IResourceBuilder<PostgresDatabaseResource>)primary.Connection).Resource.Parent;
        var endpoint = ((ContainerResource)replica.Resource).GetEndpoint("tcp");
        var database = builder.AddConnectionString(connectionName, ReferenceExpression.Create(
            $"Host={endpoint.Property(EndpointProperty.Host)};Port={endpoint.Property(EndpointProperty.Port)};Username=postgres;Password={server.PasswordParameter};Database={databaseName}"));
        return new(database, replica);
    }

    /// <summary>The primary's replication role and its password, given to the primary once however many replicas it has.</summary>
    private IResourceBuilder<ParameterResource> ReplicationPassword(PostgresServerResource server)
    {
        var name = $"{server.Name}-replication-password";
        if (builder.Resources.OfType<ParameterResource>().FirstOrDefault(p => p.Name == name) is { } existing)
        {
            return builder.CreateResourceBuilder(existing);
        }
        var password = builder.AddParameter(name, new GenerateParameterDefault { MinLength = 24, Special = false }, secret: true, persist: true);
        builder.CreateResourceBuilder(server)
            .WithEnvironment("REPLICATION_USER", ProcessInfrastructure.ReplicationRole)
            .WithEnvironment("REPLICATION_PASSWORD", password)
            .WithInitFiles(Path.Combine(builder.AppHostDirectory, "Infrastructure", "scripts", "postgres-init"));
        return password;
    }

    public InfrastructureResource AddRedis(string name)
    {
        var redis = WithConfiguredImage(builder.AddRedis(name).WithImageTag("7"), "redis").WithDataVolume();
        return new(redis, redis);
    }

    public InfrastructureResource AddRabbitMq(string name)
    {
        var rabbitMq = WithConfiguredImage(builder.AddRabbitMQ(name).WithImageTag("3.10"), "rabbitmq").WithDataVolume();
        return new(rabbitMq, rabbitMq);
    }

    private IResourceBuilder<T> WithConfiguredImage<T>(IResourceBuilder<T> server, string kind) where T : ContainerResource
    {
        var configured = builder.Configuration[$"{ImagesSection}:{kind}"];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return server;
        }
        var image = ImageReference.Parse(configured);
        return server.WithImageRegistry(image.Registry).WithImage(image.Name, image.Tag);
    }
}

/// <summary>An image reference split as Aspire holds it: [registry/]name[:tag].</summary>
public sealed record ImageReference(string? Registry, string Name, string Tag)
{
    public static ImageReference Parse(string reference)
    {
        var slash = reference.IndexOf('/');
        // The first part names a registry when it looks like a host: a dot, a port or localhost.
        string? registry = null;
        var rest = reference;
        if (slash > 0 && reference[..slash] is var host && (host.Contains('.') || host.Contains(':') || host == "localhost"))
        {
            registry = host;
            rest = reference[(slash + 1)..];
        }
        var colon = rest.LastIndexOf(':');
        return colon > rest.LastIndexOf('/') && colon > 0
            ? new(registry, rest[..colon], rest[(colon + 1)..])
            : new(registry, rest, "latest");
    }
}
