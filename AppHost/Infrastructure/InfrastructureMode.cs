using Microsoft.Extensions.Configuration;

namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>How the AppHost provides PostgreSQL, Redis and RabbitMQ.</summary>
public enum InfrastructureMode
{
    /// <summary>Plain OS processes from the Debian packages; no container runtime needed.</summary>
    Processes,

    /// <summary>The standard Aspire container integrations; needs Docker or Podman.</summary>
    Containers,
}

public static class InfrastructureModeResolver
{
    public const string ConfigurationKey = "Infrastructure:Mode";

    /// <summary>
    /// The configured mode, or processes. Never guessed from a container engine that answers: a machine that
    /// runs the system from images has one, and Docker Hub's images may be out of reach there, while
    /// processes need nothing but the Debian packages `scripts/setup.sh` installs.
    /// </summary>
    public static InfrastructureMode Resolve(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        if (string.IsNullOrWhiteSpace(configured))
        {
            return InfrastructureMode.Processes;
        }
        return Enum.TryParse<InfrastructureMode>(configured, ignoreCase: true, out var mode)
            ? mode
            : throw new InvalidOperationException($"{ConfigurationKey} is '{configured}'; expected 'processes' or 'containers'.");
    }
}
