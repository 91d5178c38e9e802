namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>
/// A piece of infrastructure a service can use: the connection string it references, and the resource it
/// must wait for before it starts.
/// </summary>
public sealed record InfrastructureResource(
    IResourceBuilder<IResourceWithConnectionString> Connection,
    IResourceBuilder<IResource> WaitTarget);

/// <summary>Adds PostgreSQL, Redis and RabbitMQ to the app model, as processes or as containers.</summary>
public interface IInfrastructure
{
    /// <summary>A PostgreSQL server named <paramref name="serverName"/> holding one database.</summary>
    InfrastructureResource AddPostgres(string serverName, string connectionName, string databaseName);

    InfrastructureResource AddRedis(string name);

    InfrastructureResource AddRabbitMq(string name);
}

public static class InfrastructureExtensions
{
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, InfrastructureResource resource)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport =>
        builder.WithReference(resource.Connection).WaitFor(resource.WaitTarget);
}
