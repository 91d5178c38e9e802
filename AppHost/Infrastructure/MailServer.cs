using System.Net.Sockets;
using ClinicBooking.Contracts;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>
/// Where the system's mail goes. Run locally (both modes), smtp4dev: a real SMTP server with a web inbox
/// (<c>Mail:InboxPort</c>, 5095 unless set), so a person sees every mail the system sent and the tests read
/// them through its API. Published, a connection string the operator sets to their provider's SMTP relay.
/// </summary>
public static class MailServer
{
    public const string InboxPortKey = "Mail:InboxPort";

    public static IResourceBuilder<IResourceWithConnectionString> AddMailServer(this IDistributedApplicationBuilder builder)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return builder.AddConnectionString(ResourceNames.MailServer);
        }
        var resource = new ServerProcessResource(ResourceNames.MailServer,
            Path.Combine(builder.AppHostDirectory, "Infrastructure", "scripts", "smtp4dev.sh"), builder.AppHostDirectory,
            r => ReferenceExpression.Create($"smtp://127.0.0.1:{r.PrimaryEndpoint.Property(EndpointProperty.Port)}"));
        var healthCheckKey = $"{resource.Name}-ready";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            healthCheckKey, _ => new ConnectionProbeHealthCheck(resource, ProbeSmtpAsync), failureStatus: null, tags: null));
        IResourceBuilder<ServerProcessResource> server = builder.AddResource(resource)
            .WithArgs(resource.Script)
            .WithHealthCheck(healthCheckKey)
            .WithEndpoint(name: ServerProcessResource.PrimaryEndpointName, scheme: "tcp", env: "SMTP_PORT", isProxied: false)
            .WithEndpoint(name: "imap", scheme: "tcp", env: "IMAP_PORT", isProxied: false)
            .WithEndpoint(name: "pop3", scheme: "tcp", env: "POP3_PORT", isProxied: false)
            .WithHttpEndpoint(name: "inbox", env: "INBOX_PORT", port: builder.Configuration.GetValue(InboxPortKey, 5095), isProxied: false)
            .ExcludeFromManifest();
        server.WithUrl(ReferenceExpression.Create($"{server.GetEndpoint("inbox")}"), "Mail inbox");
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(resource);
    }

    /// <summary>Ready when it greets a client as SMTP servers do (220).</summary>
    private static async Task ProbeSmtpAsync(string connectionString, CancellationToken ct)
    {
        var server = new Uri(connectionString);
        using var client = new TcpClient();
        await client.ConnectAsync(server.Host, server.Port, ct);
        using var reader = new StreamReader(client.GetStream());
        var greeting = await reader.ReadLineAsync(ct);
        if (greeting?.StartsWith("220", StringComparison.Ordinal) != true)
        {
            throw new InvalidOperationException($"The mail server answered '{greeting}'.");
        }
    }
}
