using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using ClinicBooking.AppHost.Infrastructure;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// `containers` mode, the AppHost's own way of running the servers in Docker, is not started here (the system from
/// images runs from deploy/compose.yaml, which scripts/containers/smoke.sh starts): build its app model without
/// starting it and check that it uses the standard Aspire integrations and wires the services to them.
/// </summary>
public class ContainersModeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Containers_mode_uses_the_Aspire_container_integrations()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--Infrastructure:Mode=containers", "--Clinics:ShardCount=3"], Ct);
        var resources = builder.Resources.ToDictionary(r => r.Name);

        Assert.IsType<PostgresServerResource>(resources[ResourceNames.GlobalPostgres]);
        var customers = Assert.IsType<PostgresDatabaseResource>(resources[ResourceNames.CustomersDatabase]);
        Assert.Equal("customers", customers.DatabaseName);
        Assert.IsType<RedisResource>(resources[ResourceNames.Redis]);
        Assert.IsType<RabbitMQServerResource>(resources[ResourceNames.RabbitMq]);
        for (var shard = 0; shard < 3; shard++)
        {
            Assert.IsType<PostgresServerResource>(resources[ResourceNames.ShardPostgres(shard)]);
            Assert.IsType<PostgresDatabaseResource>(resources[ResourceNames.ShardDatabase(shard)]);
            Assert.IsType<ProjectResource>(resources[ResourceNames.ClinicCell(shard)]);
        }
        // The local mail server (smtp4dev) is the repository's own dotnet tool: a process in both modes.
        Assert.Equal([ResourceNames.MailServer], builder.Resources.OfType<ServerProcessResource>().Select(r => r.Name));

        var customerService = resources[ResourceNames.CustomerService];
        Assert.Equal(
            [ResourceNames.CustomersDatabase, ResourceNames.RabbitMq, ResourceNames.Redis],
            References(customerService).Where(r => r is IResourceWithConnectionString).Select(r => r.Name).Order());
        Assert.Contains(ResourceNames.CustomersDatabase, WaitsFor(customerService));

        var cell = resources[ResourceNames.ClinicCell(1)];
        Assert.Contains(ResourceNames.ShardDatabase(1), References(cell).Select(r => r.Name));
        Assert.DoesNotContain(ResourceNames.ShardDatabase(0), References(cell).Select(r => r.Name));
        // Each shard's replica is a container of its own, read by the shard's cell, which does not wait for it.
        Assert.IsType<ContainerResource>(resources[ResourceNames.ShardReplica(1, 0)]);
        Assert.Contains(ResourceNames.ShardReplicaDatabase(1, 0), References(cell).Select(r => r.Name));
        Assert.DoesNotContain(ResourceNames.ShardReplica(1, 0), WaitsFor(cell));
        // The global server's replica is a container too: a hot standby, which no service reads from or waits for.
        Assert.IsType<ContainerResource>(resources[ResourceNames.GlobalReplica(0)]);
        Assert.All(builder.Resources.OfType<ProjectResource>(), project =>
            Assert.DoesNotContain(ResourceNames.GlobalReplica(0), References(project).Select(r => r.Name).Concat(WaitsFor(project))));

        var gateway = resources[ResourceNames.Gateway];
        Assert.Contains(ResourceNames.CustomerService, References(gateway).Select(r => r.Name));

        var notificationService = resources[ResourceNames.NotificationService];
        Assert.Equal(
            [ResourceNames.MailServer, ResourceNames.NotificationsDatabase, ResourceNames.RabbitMq, ResourceNames.Redis],
            References(notificationService).Where(r => r is IResourceWithConnectionString).Select(r => r.Name).Order());

        var consultationService = resources[ResourceNames.ConsultationService];
        Assert.Equal(
            [ResourceNames.ConsultationsDatabase, ResourceNames.RabbitMq, ResourceNames.Redis],
            References(consultationService).Where(r => r is IResourceWithConnectionString).Select(r => r.Name).Order());
        Assert.Contains(ResourceNames.ConsultationService, References(gateway).Select(r => r.Name));

        var paymentService = resources[ResourceNames.PaymentService];
        Assert.Equal(
            [ResourceNames.PaymentsDatabase, ResourceNames.RabbitMq, ResourceNames.Redis],
            References(paymentService).Where(r => r is IResourceWithConnectionString).Select(r => r.Name).Order());
        Assert.Contains(ResourceNames.PaymentService, References(gateway).Select(r => r.Name));
    }

    [Fact]
    public async Task Processes_mode_runs_the_servers_as_executables()
    {
        var data = Path.Combine(Path.GetTempPath(), $"clinicbooking-model-{Guid.NewGuid():N}");
        try
        {
            var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
                ["--Infrastructure:Mode=processes", $"--Infrastructure:DataDirectory={data}"], Ct);

            var executables = builder.Resources.OfType<ServerProcessResource>().Select(r => r.Name).Order();
            // One streaming replica per shard (Replicas:PerShard) and one of the global server (Replicas:Global) by default.
            Assert.Equal(
                [ResourceNames.MailServer, ResourceNames.GlobalPostgres, ResourceNames.GlobalReplica(0), ResourceNames.ShardPostgres(0), ResourceNames.ShardReplica(0, 0),
                 ResourceNames.ShardPostgres(1), ResourceNames.ShardReplica(1, 0), ResourceNames.RabbitMq, ResourceNames.Redis],
                executables);
            Assert.DoesNotContain(builder.Resources, r => r is ContainerResource);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static IEnumerable<IResource> References(IResource resource) =>
        resource.Annotations.OfType<ResourceRelationshipAnnotation>()
            .Where(a => a.Type == "Reference")
            .Select(a => a.Resource);

    private static IEnumerable<string> WaitsFor(IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(a => a.Resource.Name);
}
