using System.Globalization;
using ClinicBooking.Contracts;
using ClinicBooking.AppHost;
using ClinicBooking.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

IInfrastructure infrastructure = InfrastructureModeResolver.Resolve(builder.Configuration) switch
{
    InfrastructureMode.Containers => new ContainerInfrastructure(builder),
    _ => new ProcessInfrastructure(builder, builder.GetDataDirectory()),
};

var customersDb = infrastructure.AddPostgres(ResourceNames.GlobalPostgres, ResourceNames.CustomersDatabase, "customers");
var redis = infrastructure.AddRedis(ResourceNames.Redis);
var rabbitMq = infrastructure.AddRabbitMq(ResourceNames.RabbitMq);

// Services do not wait for RabbitMQ: a cell must start, and take bookings into its outbox, while the
// broker is down; MassTransit connects once it is up.
var customerService = builder.AddProject<Projects.CustomerService>(ResourceNames.CustomerService)
    .WithInternalHttpEndpoint()
    .WithTraceSampling()
    .WithReference(customersDb)
    .WithReference(redis)
    .WithReference(rabbitMq, waitFor: false)
    .WithHttpHealthCheck("/health");

var gateway = builder.AddProject<Projects.Gateway>(ResourceNames.Gateway)
    .WithTraceSampling()
    .WithReference(redis)
    .WithReference(customerService)
    .WaitFor(customerService)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints();

// One ClinicService cell per clinic shard, each on its own PostgreSQL server.
for (var shard = 0; shard < builder.GetShardCount(); shard++)
{
    var shardDb = infrastructure.AddPostgres(ResourceNames.ShardPostgres(shard), ResourceNames.ShardDatabase(shard), "clinics");
    var cell = builder.AddProject<Projects.ClinicService>(ResourceNames.ClinicCell(shard))
        .WithInternalHttpEndpoint()
        .WithTraceSampling()
        .WithReference(shardDb)
        .WithReference(redis)
        .WithReference(rabbitMq, waitFor: false)
        .WithEnvironment("Cell__Shards__0", shard.ToString(CultureInfo.InvariantCulture))
        .WithEnvironment("Cell__Name", ResourceNames.ClinicCell(shard))
        .WithHttpHealthCheck("/health");
    // Operators reach each cell's Hangfire dashboard (slot generation) from the Aspire dashboard.
    cell.WithUrl($"{cell.GetEndpoint("http")}/hangfire", "Hangfire");
    gateway.WithReference(cell)
        .WaitFor(cell)
        .WithEnvironment($"ClinicShards__Owners__{shard}", cell.Resource.Name);
}

builder.Build().Run();
