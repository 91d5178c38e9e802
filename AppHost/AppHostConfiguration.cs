using Microsoft.Extensions.Configuration;

namespace ClinicBooking.AppHost;

public static class AppHostConfiguration
{
    public const string DataDirectoryKey = "Infrastructure:DataDirectory";
    public const string ShardCountKey = "Clinics:ShardCount";
    public const string TraceSampleRatioKey = "Telemetry:TraceSampleRatio";

    /// <summary>
    /// Where `processes` mode keeps its databases: configured, or the git-ignored `.data` folder at the
    /// repository root, so a restart finds the data of the last run.
    /// </summary>
    public static string GetDataDirectory(this IDistributedApplicationBuilder builder)
    {
        var configured = builder.Configuration[DataDirectoryKey];
        var directory = Path.GetFullPath(string.IsNullOrWhiteSpace(configured)
            ? Path.Combine(builder.AppHostDirectory, "..", ".data")
            : configured);
        Directory.CreateDirectory(directory);
        return directory;
    }

    /// <summary>How many clinic shards (and so ClinicService cells) to run; 2 unless configured.</summary>
    public static int GetShardCount(this IDistributedApplicationBuilder builder)
    {
        var count = builder.Configuration.GetValue(ShardCountKey, 2);
        return count is >= 1 and <= 16
            ? count
            : throw new InvalidOperationException($"{ShardCountKey} must be between 1 and 16, not {count}.");
    }

    /// <summary>
    /// An HTTP endpoint for a service behind the gateway. Only the gateway has a well-known port; services
    /// are found by service discovery, and several cells of one project must not share a port. Not proxied:
    /// the gateway talks straight to the service, and a stopped service refuses connections at once instead
    /// of leaving a proxy to hold them until they time out. The port is picked free once per AppHost run, so
    /// a restarted service comes back where service discovery already points.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithInternalHttpEndpoint(this IResourceBuilder<ProjectResource> builder) =>
        builder.WithHttpEndpoint(name: "http", port: FreeLoopbackPort(), isProxied: false);

    /// <summary>
    /// Traces every request unless <see cref="TraceSampleRatioKey"/> is set: Aspire has the services record
    /// every trace for the dashboard, which a benchmark (or a long-running shared environment) may want to
    /// thin out the way production does, keeping that share of the traces that start at the service and every
    /// trace a caller marks sampled (parent-based).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTraceSampling(this IResourceBuilder<ProjectResource> builder)
    {
        var ratio = builder.ApplicationBuilder.Configuration.GetValue<double?>(TraceSampleRatioKey);
        if (ratio is null)
        {
            return builder;
        }
        if (ratio is not (>= 0 and <= 1))
        {
            throw new InvalidOperationException($"{TraceSampleRatioKey} must be between 0 and 1, not {ratio}.");
        }
        // Set after Aspire's own telemetry settings for the project, so these win.
        return builder
            .WithEnvironment("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
            .WithEnvironment("OTEL_TRACES_SAMPLER_ARG", ratio.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static int FreeLoopbackPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
