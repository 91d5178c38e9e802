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

    /// <summary>One more database on the server <paramref name="server"/> (what <see cref="AddPostgres"/> returned).</summary>
    InfrastructureResource AddDatabase(InfrastructureResource server, string connectionName, string databaseName);

    /// <summary>
    /// A streaming replica named <paramref name="replicaName"/> of the server <paramref name="primary"/> (what
    /// <see cref="AddPostgres"/> returned): read-only, a copy of every database and role on it. It starts after the
    /// primary; healthy once it answers as a standby.
    /// </summary>
    IResourceBuilder<IResource> AddReplica(InfrastructureResource primary, string replicaName);

    /// <summary>
    /// The database <paramref name="databaseName"/> on <paramref name="replica"/> (what <see cref="AddReplica"/> returned
    /// for <paramref name="primary"/>), reached as connection <paramref name="connectionName"/> with the same
    /// credentials as on the primary.
    /// </summary>
    InfrastructureResource AddReplicaDatabase(InfrastructureResource primary, IResourceBuilder<IResource> replica, string connectionName, string databaseName);

    InfrastructureResource AddRedis(string name);

    InfrastructureResource AddRabbitMq(string name);
}

public static class InfrastructureExtensions
{
    /// <summary>
    /// References the resource and, unless <paramref name="waitFor"/> is false, starts only once it is healthy.
    /// Without the wait, a service also (re)starts while the resource is down, and connects when it is back.
    /// </summary>
    public static IResourceBuilder<T> WithReference<T>(this IResourceBuilder<T> builder, InfrastructureResource resource, bool waitFor = true)
        where T : IResourceWithEnvironment, IResourceWithWaitSupport
    {
        builder.WithReference(resource.Connection);
        return waitFor ? builder.WaitFor(resource.WaitTarget) : builder;
    }
}
