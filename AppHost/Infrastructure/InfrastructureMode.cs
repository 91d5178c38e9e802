using System.ComponentModel;
using System.Diagnostics;
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
    /// The configured mode, or — when none is configured — containers if a container runtime answers, else
    /// processes.
    /// </summary>
    public static InfrastructureMode Resolve(IConfiguration configuration)
    {
        var configured = configuration[ConfigurationKey];
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return Enum.TryParse<InfrastructureMode>(configured, ignoreCase: true, out var mode)
                ? mode
                : throw new InvalidOperationException(
                    $"{ConfigurationKey} is '{configured}'; expected 'processes' or 'containers'.");
        }

        var runtime = configuration["ASPIRE_CONTAINER_RUNTIME"] ?? configuration["DOTNET_ASPIRE_CONTAINER_RUNTIME"] ?? "docker";
        return ContainerRuntimeAnswers(runtime) ? InfrastructureMode.Containers : InfrastructureMode.Processes;
    }

    // A client binary alone proves nothing (this machine has the docker CLI but no engine): ask the engine.
    private static bool ContainerRuntimeAnswers(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, ["info", "--format", "{{.ServerVersion}}"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            if (process is null)
            {
                return false;
            }
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false; // not installed
        }
    }
}
