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
    /// None here: the public postgres image allows no replication connection from another container without a
    /// pg_hba.conf of ours, which the image built from Debian's packages would not read the same way. Replicas
    /// run in processes mode and in the deployment description (deploy/compose.yaml, their own containers); the
    /// cells read from the primary when they have none.
    /// </summary>
    public InfrastructureResource? AddReplica(InfrastructureResource primary, string replicaName, string connectionName, string databaseName) => null;

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
