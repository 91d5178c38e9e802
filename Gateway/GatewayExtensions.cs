using ClinicBooking.Gateway.Access;
using ClinicBooking.Gateway.Admission;
using ClinicBooking.Gateway.Apis;
using ClinicBooking.Gateway.OpenApi;
using ClinicBooking.Gateway.Routing;
using ClinicBooking.ServiceDefaults;
using Yarp.ReverseProxy.Configuration;

namespace ClinicBooking.Gateway;

public static class GatewayExtensions
{
    public static void AddGateway(this IHostApplicationBuilder builder)
    {
        var shardMap = new ShardMap(builder.Configuration);
        builder.Services.AddSingleton(shardMap);

        builder.Services.AddReverseProxy()
            .LoadFromMemory(Routes.Build(shardMap),
                [Clusters.CustomerServiceCluster, Clusters.IdentityServiceCluster, Clusters.NotificationServiceCluster, Clusters.ConsultationServiceCluster, Clusters.PaymentServiceCluster, .. ShardRouting.CellClusters(shardMap)])
            // Destinations are Aspire resource names ("http://customerservice"), resolved by service discovery.
            .AddServiceDiscoveryDestinationResolver();

        // Requests that span clinics ask every cell at once; a cell that does not answer quickly is left
        // out and the reply says so, rather than the whole request waiting or failing.
#pragma warning disable EXTEXP0001 // experimental API; the retries of the default handler are what must go
        builder.Services.AddHttpClient(CellFanOut.HttpClientName, client => client.Timeout = CellFanOut.CellTimeout)
            .RemoveAllResilienceHandlers()
            .AddHttpMessageHandler<ForwardCallerToken>();
        builder.Services.AddHttpClient(CellFanOut.WriteHttpClientName, client => client.Timeout = CellFanOut.WriteTimeout)
            .RemoveAllResilienceHandlers()
            .AddHttpMessageHandler<ForwardCallerToken>();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<CellFanOut>();
        builder.Services.AddSingleton<PlacementLock>();
        builder.AddGatewayAccess();
        builder.AddGatewayOpenApi();
        builder.AddLoadShedding();
        builder.AddBodyLimit();
        // The merged search answers are cached here; each names its own (short) lifetime.
        builder.AddRedisHybridCache(new Microsoft.Extensions.Caching.Hybrid.HybridCacheEntryOptions());
        // Who has just written: their searches skip the cache (read-your-writes).
        builder.AddRecentWrites();
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.UseAsciiHeaderCheck();
        // Who is calling comes first: the rate limits count per signed-in user.
        app.UseDefaultAuthentication();
        app.UseRecentWrites();
        app.UseRateLimiter();
        // The web app's key is for the gateway alone: it goes no further.
        app.Use((context, next) =>
        {
            context.Request.Headers.Remove(ClientRateLimits.VisitorKeyHeader);
            return next(context);
        });
        app.UseBodyLimit();
        app.MapGatewayOpenApi();
        app.MapClinicsFanOutApi();
        app.MapAvailabilityFanOutApi();
        app.MapBodyRoutedApi();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(ProxyErrors.ExplainAsync);
            // Who may call comes before where the request goes: without a token, 401 whatever the path's id.
            proxy.Use(GatewayAccess.CheckAsync);
            proxy.Use(ShardRouting.SelectOwningCell);
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }
}

/// <summary>
/// The routes the gateway proxies. Requests that span clinics are endpoints of their own (Apis/). Who may call
/// what through them is the services' own declaration (<see cref="GatewayAccess.CheckAsync"/>).
/// </summary>
public static class Routes
{
    public static IReadOnlyList<RouteConfig> Build(ShardMap shards) =>
    [
        new RouteConfig
        {
            RouteId = "customers",
            ClusterId = Clusters.CustomerService,
            // A catch-all may be empty, so this matches /customers itself too.
            Match = new RouteMatch { Path = "/customers/{**rest}" },
        }.Checked(),
        // Accounts and tokens. A clinic's staff are accounts, so they live in IdentityService too (a literal
        // segment outranks the clinic route's catch-all below).
        Identity("connect", "/connect/{**rest}").ServiceDecides(),
        Identity("well-known", "/.well-known/{**rest}").ServiceDecides(),
        Identity("account-login", "/account/login/{**rest}").ServiceDecides(),
        Identity("account", "/account/{**rest}").Checked(),
        Identity("accounts", "/accounts/{**rest}").Checked(),
        Identity("clinic-staff", "/clinics/{clinicId}/staff/{**rest}").Checked().OfClinic("clinicId"),
        // A clinic's patients (who booked there, or whom its staff looked up) are customers: CustomerService
        // answers for its staff.
        new RouteConfig
        {
            RouteId = "clinic-patients",
            ClusterId = Clusters.CustomerService,
            Match = new RouteMatch { Path = "/clinics/{clinicId}/patients/{**rest}" },
        }.Checked().OfClinic("clinicId"),
        // What a customer is sent (preferences, the one-click stop of reminder mails): NotificationService.
        new RouteConfig
        {
            RouteId = "notifications",
            ClusterId = Clusters.NotificationService,
            Match = new RouteMatch { Path = "/notifications/{**rest}" },
        }.Checked(),
        // Online appointments' video calls, and the local video provider's join pages: ConsultationService.
        new RouteConfig
        {
            RouteId = "consultations",
            ClusterId = Clusters.ConsultationService,
            Match = new RouteMatch { Path = "/consultations/{**rest}" },
        }.Checked(),
        new RouteConfig
        {
            RouteId = "video",
            ClusterId = Clusters.ConsultationService,
            Match = new RouteMatch { Path = "/video/{**rest}" },
        }.ServiceDecides(),
        // Invoices, payments and card payments (checkouts, the provider's webhooks): PaymentService.
        new RouteConfig
        {
            RouteId = "invoices",
            ClusterId = Clusters.PaymentService,
            Match = new RouteMatch { Path = "/invoices/{**rest}" },
        }.Checked(),
        new RouteConfig
        {
            RouteId = "payments",
            ClusterId = Clusters.PaymentService,
            Match = new RouteMatch { Path = "/payments/{**rest}" },
        }.Checked(),
        new RouteConfig
        {
            RouteId = "checkouts",
            ClusterId = Clusters.PaymentService,
            Match = new RouteMatch { Path = "/checkouts/{**rest}" },
        }.Checked(),
        new RouteConfig
        {
            RouteId = "credit",
            ClusterId = Clusters.PaymentService,
            Match = new RouteMatch { Path = "/credit/{**rest}" },
        }.Checked(),
        new RouteConfig
        {
            RouteId = "coupons",
            ClusterId = Clusters.PaymentService,
            Match = new RouteMatch { Path = "/coupons/{**rest}" },
        }.Checked(),
        new RouteConfig
        {
            RouteId = "payment-policies",
            ClusterId = Clusters.PaymentService,
            Match = new RouteMatch { Path = "/payment-policies/{clinicId}/{**rest}" },
        }.Checked().OfClinic("clinicId"),
        // The local payment provider's payment pages (its API stays inside: only PaymentService calls it).
        new RouteConfig
        {
            RouteId = "local-pay",
            ClusterId = Clusters.PaymentService,
            Match = new RouteMatch { Path = "/local-pay/checkout/{**rest}" },
        }.ServiceDecides(),
        // Clinic-scoped paths, each routed by the id it carries.
        ShardRouting.ByClinicId(shards, "clinic", "/clinics/{clinicId}/{**rest}", "clinicId").Checked(),
        ShardRouting.ByScopedId(shards, "doctor-slot", "/doctors/slots/{id}/{**rest}", "id").Checked(),
        ShardRouting.ByScopedId(shards, "doctor", "/doctors/{id}/{**rest}", "id").Checked(),
        ShardRouting.ByScopedId(shards, "time-slot", "/timeslots/{id}/{**rest}", "id").Checked(),
        ShardRouting.ByScopedId(shards, "booking-slot", "/bookingSlots/{id}/{**rest}", "id").Checked(),
        ShardRouting.ByScopedId(shards, "booking", "/bookings/{id}/{**rest}", "id").Checked(),
    ];

    private static RouteConfig Identity(string routeId, string path) => new()
    {
        RouteId = routeId,
        ClusterId = Clusters.IdentityService,
        Match = new RouteMatch { Path = path },
    };
}

public static class Clusters
{
    public const string CustomerService = ResourceNames.CustomerService;

    public const string IdentityService = ResourceNames.IdentityService;

    public const string NotificationService = ResourceNames.NotificationService;

    public const string ConsultationService = ResourceNames.ConsultationService;

    public static ClusterConfig ConsultationServiceCluster { get; } = new()
    {
        ClusterId = ConsultationService,
        Destinations = new Dictionary<string, DestinationConfig>
        {
            ["primary"] = new() { Address = $"http://{ResourceNames.ConsultationService}" },
        },
    };

    public const string PaymentService = ResourceNames.PaymentService;

    public static ClusterConfig PaymentServiceCluster { get; } = new()
    {
        ClusterId = PaymentService,
        Destinations = new Dictionary<string, DestinationConfig>
        {
            ["primary"] = new() { Address = $"http://{ResourceNames.PaymentService}" },
        },
    };

    public static ClusterConfig NotificationServiceCluster { get; } = new()
    {
        ClusterId = NotificationService,
        Destinations = new Dictionary<string, DestinationConfig>
        {
            ["primary"] = new() { Address = $"http://{ResourceNames.NotificationService}" },
        },
    };

    public static ClusterConfig IdentityServiceCluster { get; } = new()
    {
        ClusterId = IdentityService,
        Destinations = new Dictionary<string, DestinationConfig>
        {
            ["primary"] = new() { Address = $"http://{ResourceNames.IdentityService}" },
        },
    };

    public static ClusterConfig CustomerServiceCluster { get; } = new()
    {
        ClusterId = CustomerService,
        Destinations = new Dictionary<string, DestinationConfig>
        {
            ["primary"] = new() { Address = $"http://{ResourceNames.CustomerService}" },
        },
    };
}
