using System.Net.Sockets;
using ClinicBooking.Contracts;
using Microsoft.Extensions.Configuration;

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
        var server = builder.AddServerProcess(ResourceNames.MailServer,
                Path.Combine(builder.AppHostDirectory, "Infrastructure", "scripts", "smtp4dev.sh"), builder.AppHostDirectory,
                r => ReferenceExpression.Create($"smtp://127.0.0.1:{r.PrimaryEndpoint.Property(EndpointProperty.Port)}"), ProbeSmtpAsync)
            .WithTcpEndpoint(ServerProcessResource.PrimaryEndpointName, "SMTP_PORT")
            .WithTcpEndpoint("imap", "IMAP_PORT")
            .WithTcpEndpoint("pop3", "POP3_PORT")
            .WithHttpEndpoint(name: "inbox", env: "INBOX_PORT", port: builder.Configuration.GetValue(InboxPortKey, 5095), isProxied: false);
        server.WithUrl(ReferenceExpression.Create($"{server.GetEndpoint("inbox")}"), "Mail inbox");
        return builder.CreateResourceBuilder<IResourceWithConnectionString>(server.Resource);
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
