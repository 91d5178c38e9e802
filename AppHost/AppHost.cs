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
var identityDb = infrastructure.AddDatabase(customersDb, ResourceNames.IdentityDatabase, "identity");
// The global server's replicas: hot standbys of every global database, to promote or back up from. No service
// reads from them (AppHostConfiguration.GetGlobalReplicas says why).
for (var replica = 0; replica < builder.GetGlobalReplicas(); replica++)
{
    infrastructure.AddReplica(customersDb, ResourceNames.GlobalReplica(replica));
}
var redis = infrastructure.AddRedis(ResourceNames.Redis);
var rabbitMq = infrastructure.AddRabbitMq(ResourceNames.RabbitMq);

// Services do not wait for RabbitMQ: a cell must start, and take bookings into its outbox, while the
// broker is down; MassTransit connects once it is up.
var identityService = builder.AddProject<Projects.IdentityService>(ResourceNames.IdentityService)
    .WithInternalHttpEndpoint()
    .WithTraceSampling()
    .WithReference(identityDb)
    .WithReference(redis)
    // Account mails and a customer's confirmed address leave through its outbox.
    .WithReference(rabbitMq, waitFor: false)
    .WithIdentitySettings()
    .WithHttpHealthCheck("/health");

var customerService = builder.AddProject<Projects.CustomerService>(ResourceNames.CustomerService)
    .WithInternalHttpEndpoint()
    .WithTokenValidation(identityService)
    .WithTraceSampling()
    .WithReference(customersDb)
    .WithReference(redis)
    .WithReference(rabbitMq, waitFor: false)
    .WithHttpHealthCheck("/health");

var gateway = builder.AddProject<Projects.Gateway>(ResourceNames.Gateway)
    .WithTraceSampling()
    .WithTokenValidation(identityService)
    .WithReference(redis)
    .WithReference(customerService)
    .WaitFor(customerService)
    .WithReference(identityService)
    .WaitFor(identityService)
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints()
    // Clients connect to the gateway itself, not through a local proxy: it must see each client's own address
    // (the per-client rate limits count by it).
    .WithEndpoint("http", endpoint =>
    {
        endpoint.IsProxied = false;
        endpoint.Port = builder.GetGatewayPort();
    });
// The gateway's per-client rate limits may be set on the AppHost (a benchmark lifts them): --RateLimits:PerUser:TokenLimit=...
foreach (var setting in Microsoft.Extensions.Configuration.ConfigurationExtensions.AsEnumerable(builder.Configuration.GetSection("RateLimits")))
{
    if (setting.Value is not null)
    {
        gateway.WithEnvironment(setting.Key.Replace(":", "__"), setting.Value);
    }
}

// IdentityService creates the customer of a sign-up, checks a staff member's clinic through the gateway, and
// names the gateway (the address clients reach it at) as the issuer of its tokens.
identityService
    .WithReference(customerService)
    .WithReference(gateway)
    .WithEnvironment("Identity__Issuer", gateway.GetEndpoint("http"))
    // The API reference page (Scalar, at the gateway) signs in with the code flow and comes back to itself.
    .WithEnvironment("Identity__WebRedirectUris__0", ReferenceExpression.Create($"{gateway.GetEndpoint("http")}/scalar"))
    .WithEnvironment("Identity__WebRedirectUris__1", ReferenceExpression.Create($"{gateway.GetEndpoint("http")}/scalar/"));

// The web app for patients, clinic staff and administrators: a client of the gateway like any other. Browsers
// sign in at IdentityService (through the gateway, the issuer) and come back to it.
var webApp = builder.AddProject<Projects.WebApp>(ResourceNames.WebApp)
    .WithTraceSampling()
    .WithReference(gateway)
    .WaitFor(gateway)
    .WithEnvironment("Identity__Authority", gateway.GetEndpoint("http"))
    .WithHttpHealthCheck("/health")
    .WithExternalHttpEndpoints()
    // Browsers come back to this exact address after signing in, so it is fixed (and registered below).
    .WithEndpoint("http", endpoint =>
    {
        endpoint.IsProxied = false;
        endpoint.Port = builder.GetWebAppPort();
    });
// The web app names each visitor's address to the gateway, with a key only the two share, so that the
// gateway's per-client limits count each visitor rather than the web app as one client.
var forwarderKey = builder.AddParameter("webapp-forwarder-key", AppHostConfiguration.GeneratedSecret(builder.GetDataDirectory(), "webapp-forwarder-key"), secret: true);
gateway.WithEnvironment("RateLimits__ForwarderKey", forwarderKey);
webApp.WithEnvironment("Gateway__ForwarderKey", forwarderKey);
identityService
    .WithEnvironment("Identity__WebApp", webApp.GetEndpoint("http"))
    .WithEnvironment("Identity__WebRedirectUris__2", ReferenceExpression.Create($"{webApp.GetEndpoint("http")}/signin-oidc"))
    .WithEnvironment("Identity__WebPostLogoutRedirectUris__0", ReferenceExpression.Create($"{webApp.GetEndpoint("http")}/signout-callback-oidc"));

// NotificationService tells people about their bookings (mail and text messages): it learns of bookings and customers from
// the messages the cells and CustomerService publish, reads clinics' public details through the gateway, and
// sends through the mail server (smtp4dev locally, with its inbox; the operator's SMTP relay when deployed).
var notificationsDb = infrastructure.AddDatabase(customersDb, ResourceNames.NotificationsDatabase, "notifications");
var mail = builder.AddMailServer();
var notificationService = builder.AddProject<Projects.NotificationService>(ResourceNames.NotificationService)
    .WithInternalHttpEndpoint()
    .WithTraceSampling()
    .WithTokenValidation(identityService)
    .WithReference(notificationsDb)
    .WithReference(redis)
    .WithReference(rabbitMq, waitFor: false)
    .WithReference(mail)
    .WithReference(gateway)
    // Text messages go to the local fake provider (it shows what it got at /operations/fake-sms); a deployment
    // names Twilio and its account instead (README, Deploy).
    .WithEnvironment("Sms__Provider", "Fake")
    // The links in messages: the web app, and the gateway for the one-click stop of reminder mails.
    .WithEnvironment("Notifications__Links__WebApp", webApp.GetEndpoint("http"))
    .WithEnvironment("Notifications__Links__Gateway", gateway.GetEndpoint("http"))
    .WithHttpHealthCheck("/health");
// Customers' notification preferences are reached through the gateway.
gateway.WithReference(notificationService).WaitFor(notificationService);

// ConsultationService gives online appointments their video calls: it learns of bookings from the cells'
// messages and makes each confirmed online booking's meeting at the video service, here the local provider that
// runs inside it (its join pages are on the gateway, under /video); a deployment may name Jitsi instead (README, Deploy).
var consultationsDb = infrastructure.AddDatabase(customersDb, ResourceNames.ConsultationsDatabase, "consultations");
var videoSigningKey = builder.AddParameter("video-signing-key", AppHostConfiguration.GeneratedSecret(builder.GetDataDirectory(), "video-signing-key"), secret: true);
var consultationService = builder.AddProject<Projects.ConsultationService>(ResourceNames.ConsultationService)
    .WithInternalHttpEndpoint()
    .WithTraceSampling()
    .WithTokenValidation(identityService)
    .WithReference(consultationsDb)
    .WithReference(redis)
    .WithReference(rabbitMq, waitFor: false)
    .WithEnvironment("Video__Provider", "Local")
    .WithEnvironment("Video__SigningKey", videoSigningKey)
    .WithEnvironment("Video__LocalBaseUrl", gateway.GetEndpoint("http"))
    .WithHttpHealthCheck("/health");
gateway.WithReference(consultationService).WaitFor(consultationService);

// PaymentService bills priced appointments: it learns of bookings from the cells' messages and keeps invoices,
// payments and the allocations between them in its own database, which no other service reads. Cards are paid
// through Stripe's API; here that is the local provider running inside PaymentService (its payment pages on the
// gateway, under /local-pay, and its webhooks sent to the gateway); a deployment names Stripe instead (README, Deploy).
var paymentsDb = infrastructure.AddDatabase(customersDb, ResourceNames.PaymentsDatabase, "payments");
var paymentSecretKey = builder.AddParameter("payments-secret-key", AppHostConfiguration.GeneratedSecret(builder.GetDataDirectory(), "payments-secret-key"), secret: true);
var paymentWebhookSecret = builder.AddParameter("payments-webhook-secret", AppHostConfiguration.GeneratedSecret(builder.GetDataDirectory(), "payments-webhook-secret"), secret: true);
var paymentService = builder.AddProject<Projects.PaymentService>(ResourceNames.PaymentService)
    .WithInternalHttpEndpoint()
    .WithTraceSampling()
    .WithTokenValidation(identityService)
    .WithReference(paymentsDb)
    .WithReference(redis)
    .WithReference(rabbitMq, waitFor: false)
    .WithEnvironment("Payments__Provider", "Local")
    .WithEnvironment("Payments__SecretKey", paymentSecretKey)
    .WithEnvironment("Payments__WebhookSecret", paymentWebhookSecret)
    .WithEnvironment("Payments__LocalBaseUrl", gateway.GetEndpoint("http"))
    .WithEnvironment("Payments__ReturnUrl", webApp.GetEndpoint("http"))
    .WithHttpHealthCheck("/health");
// The local provider's API is PaymentService's own address.
paymentService.WithEnvironment("Payments__LocalApiBase", ReferenceExpression.Create($"{paymentService.GetEndpoint("http")}/local-pay"));
gateway.WithReference(paymentService).WaitFor(paymentService);

// One ClinicService cell per clinic shard, each on its own PostgreSQL server.
for (var shard = 0; shard < builder.GetShardCount(); shard++)
{
    var shardDb = infrastructure.AddPostgres(ResourceNames.ShardPostgres(shard), ResourceNames.ShardDatabase(shard), "clinics");
    // Its read replicas: the cell reads what may be stale from them, and does not wait for them (without one
    // that qualifies, it reads from the primary).
    var replicas = Enumerable.Range(0, builder.GetReplicasPerShard())
        .Select(replica => infrastructure.AddReplicaDatabase(shardDb,
            infrastructure.AddReplica(shardDb, ResourceNames.ShardReplica(shard, replica)), ResourceNames.ShardReplicaDatabase(shard, replica), "clinics"))
        .ToList();
    var cell = builder.AddProject<Projects.ClinicService>(ResourceNames.ClinicCell(shard))
        .WithInternalHttpEndpoint()
        .WithTraceSampling()
        .WithTokenValidation(identityService)
        .WithReference(shardDb)
        .WithReference(redis)
        .WithReference(rabbitMq, waitFor: false)
        .WithEnvironment("Cell__Shards__0", shard.ToString(CultureInfo.InvariantCulture))
        .WithEnvironment("Cell__Name", ResourceNames.ClinicCell(shard))
        .WithHttpHealthCheck("/health");
    foreach (var replica in replicas)
    {
        cell.WithReference(replica, waitFor: false);
    }
    // Operators reach each cell's Hangfire dashboard (slot generation) from the Aspire dashboard.
    cell.WithUrl($"{cell.GetEndpoint("http")}/hangfire", "Hangfire");
    gateway.WithReference(cell)
        .WaitFor(cell)
        .WithEnvironment($"ClinicShards__Owners__{shard}", cell.Resource.Name);
}

builder.Build().Run();
