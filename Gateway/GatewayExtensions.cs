using Yarp.ReverseProxy.Configuration;

namespace ClinicBooking.Gateway;

public static class GatewayExtensions
{
    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddReverseProxy()
            .LoadFromMemory(Routes.All, Clusters.All)
            // Destinations are Aspire resource names ("http://customerservice"), resolved by service discovery.
            .AddServiceDiscoveryDestinationResolver();
    }
}

/// <summary>The routes the gateway serves, and the clusters (services) behind them.</summary>
public static class Routes
{
    public static IReadOnlyList<RouteConfig> All { get; } =
    [
        new RouteConfig
        {
            RouteId = "customers",
            ClusterId = Clusters.CustomerService,
            // A catch-all may be empty, so this matches /customers itself too.
            Match = new RouteMatch { Path = "/customers/{**rest}" },
        },
        new RouteConfig
        {
            RouteId = "customers-openapi",
            ClusterId = Clusters.CustomerService,
            Match = new RouteMatch { Path = "/openapi/customers.json" },
            Transforms = [new Dictionary<string, string> { ["PathSet"] = "/openapi/v1.json" }],
        },
    ];
}

public static class Clusters
{
    public const string CustomerService = ResourceNames.CustomerService;

    public static IReadOnlyList<ClusterConfig> All { get; } =
    [
        new ClusterConfig
        {
            ClusterId = CustomerService,
            Destinations = new Dictionary<string, DestinationConfig>
            {
                ["primary"] = new() { Address = $"http://{ResourceNames.CustomerService}" },
            },
        },
    ];
}
