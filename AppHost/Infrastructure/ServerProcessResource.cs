namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>
/// An infrastructure server (PostgreSQL, Redis, RabbitMQ) run as a plain OS process by one of the scripts
/// beside this file. It exposes a connection string, like the container integrations do, so services
/// reference it the same way in both modes.
/// </summary>
public sealed class ServerProcessResource : ExecutableResource, IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    private readonly Func<ServerProcessResource, ReferenceExpression> _connectionString;

    public ServerProcessResource(string name, string script, string workingDirectory,
        Func<ServerProcessResource, ReferenceExpression> connectionString)
        : base(name, "bash", workingDirectory)
    {
        Script = script;
        _connectionString = connectionString;
        PrimaryEndpoint = new EndpointReference(this, PrimaryEndpointName);
    }

    /// <summary>The script that runs the server in the foreground.</summary>
    public string Script { get; }

    public EndpointReference PrimaryEndpoint { get; }

    public ReferenceExpression ConnectionStringExpression => _connectionString(this);
}
