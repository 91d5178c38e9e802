namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>
/// The standard Aspire hosting integrations, for machines with Docker or Podman. Image tags follow the
/// versions that `processes` mode gets from Debian, so both modes run the same servers.
/// </summary>
public sealed class ContainerInfrastructure(IDistributedApplicationBuilder builder) : IInfrastructure
{
    public InfrastructureResource AddPostgres(string serverName, string connectionName, string databaseName)
    {
        var database = builder.AddPostgres(serverName)
            .WithImageTag("15")
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

    public InfrastructureResource AddRedis(string name)
    {
        var redis = builder.AddRedis(name).WithImageTag("7").WithDataVolume();
        return new(redis, redis);
    }

    public InfrastructureResource AddRabbitMq(string name)
    {
        var rabbitMq = builder.AddRabbitMQ(name).WithImageTag("3.10").WithDataVolume();
        return new(rabbitMq, rabbitMq);
    }
}
