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

    public const string GatewayPortKey = "Gateway:Port";

    /// <summary>The port clients reach the gateway at: 5080 unless configured (the tests pick a free one).</summary>
    public static int GetGatewayPort(this IDistributedApplicationBuilder builder) => builder.Configuration.GetValue(GatewayPortKey, 5080);

    public const string WebAppPortKey = "WebApp:Port";

    /// <summary>The port browsers reach the web app at: 5090 unless configured (the tests pick a free one).</summary>
    public static int GetWebAppPort(this IDistributedApplicationBuilder builder) => builder.Configuration.GetValue(WebAppPortKey, 5090);

    public const string ReplicasPerShardKey = "Replicas:PerShard";

    /// <summary>
    /// How many streaming replicas each shard's server has (reads that may be stale go to them): 1 in the local
    /// run unless configured; the tests run without (their reads check what was just written), but for the
    /// replicas' own tests.
    /// </summary>
    public static int GetReplicasPerShard(this IDistributedApplicationBuilder builder) => builder.GetCount(ReplicasPerShardKey, 1, 0, 4);

    public const string GlobalReplicasKey = "Replicas:Global";

    /// <summary>
    /// How many streaming replicas the global server has: 1 in the local run unless configured. Hot standbys, which no
    /// service reads from: nothing global may be read stale (sign-in, a customer's own profile, invoices and payments
    /// decide, or must show the caller's own change), and none of it is read often enough to need a copy. Each keeps
    /// a current copy of every global database, to promote when the server is lost or to back up from.
    /// </summary>
    public static int GetGlobalReplicas(this IDistributedApplicationBuilder builder) => builder.GetCount(GlobalReplicasKey, 1, 0, 4);

    /// <summary>How many clinic shards (and so ClinicService cells) to run; 2 unless configured.</summary>
    public static int GetShardCount(this IDistributedApplicationBuilder builder) => builder.GetCount(ShardCountKey, 2, 1, 16);

    /// <summary>A count setting: <paramref name="fallback"/> unless configured; outside its range, the AppHost does not start.</summary>
    private static int GetCount(this IDistributedApplicationBuilder builder, string key, int fallback, int min, int max)
    {
        var count = builder.Configuration.GetValue(key, fallback);
        return count >= min && count <= max
            ? count
            : throw new InvalidOperationException($"{key} must be between {min} and {max}, not {count}.");
    }

    /// <summary>
    /// An HTTP endpoint for a service behind the gateway. Only the gateway has a well-known port; services
    /// are found by service discovery, and several cells of one project must not share a port. Not proxied:
    /// the gateway talks straight to the service, and a stopped service refuses connections at once instead
    /// of leaving a proxy to hold them until they time out. The port is picked free once per AppHost run, so
    /// a restarted service comes back where service discovery already points. Published (the manifest), each
    /// service listens on the container port 8080, so the description is the same at every run.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithInternalHttpEndpoint(this IResourceBuilder<ProjectResource> builder) =>
        builder.ApplicationBuilder.ExecutionContext.IsPublishMode
            ? builder.WithHttpEndpoint(name: "http", targetPort: 8080)
            : builder.WithHttpEndpoint(name: "http", port: FreeLoopbackPort(), isProxied: false);

    /// <summary>
    /// The service validates access tokens itself, against IdentityService's signing keys (read from its
    /// discovery document, straight from the service rather than through the gateway).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTokenValidation(
        this IResourceBuilder<ProjectResource> builder, IResourceBuilder<ProjectResource> identityService) =>
        builder.WithEnvironment("Identity__Url", identityService.GetEndpoint("http"));

    /// <summary>
    /// IdentityService's settings for a local run: the first administrator's password and the machine client's
    /// secret (generated into the data directory's secrets, which scripts/run.sh prints), and the password grant
    /// for the command-line client, on unless <see cref="PasswordGrantKey"/> is false.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithIdentitySettings(this IResourceBuilder<ProjectResource> builder)
    {
        var app = builder.ApplicationBuilder;
        var secrets = app.GetDataDirectory();
        var admin = app.AddParameter("identity-admin-password", GeneratedSecret(secrets, AdministratorSecret), secret: true);
        var ops = app.AddParameter("identity-ops-secret", GeneratedSecret(secrets, OpsClientSecret), secret: true);
        var keys = app.AddParameter("identity-key-encryption-key", GeneratedSecret(secrets, KeyEncryptionSecret), secret: true);
        return builder
            .WithEnvironment("Identity__Administrator__Email", AdministratorEmail)
            .WithEnvironment("Identity__Administrator__Password", admin)
            .WithEnvironment($"Identity__MachineClients__{OpsClient}", ops)
            .WithEnvironment("Identity__KeyEncryptionKey", keys)
            .WithEnvironment("Identity__PasswordGrant", app.Configuration.GetValue(PasswordGrantKey, true) ? "true" : "false");
    }

    public const string PasswordGrantKey = "Identity:PasswordGrant";
    public const string AdministratorEmail = "admin@clinicbooking.local";
    public const string AdministratorSecret = "identity-admin";
    public const string OpsClient = "clinicbooking-ops";
    public const string OpsClientSecret = "identity-ops";
    public const string KeyEncryptionSecret = "identity-key-encryption-key";

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

    /// <summary>
    /// A secret generated on the first run and kept in the data directory's <c>secrets</c> folder, readable by
    /// its owner only: what a server stores at initialisation must stay the same for as long as its data does.
    /// </summary>
    public static string GeneratedSecret(string dataDirectory, string name)
    {
        var directory = Path.Combine(dataDirectory, "secrets");
        var file = Path.Combine(directory, name);
        if (!File.Exists(file))
        {
            Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
            var secret = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
            // Created owner-only from the start, never world-readable for a moment.
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
            {
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }
            using (var writer = new StreamWriter(new FileStream(file, options)))
            {
                writer.Write(secret);
            }
        }
        return File.ReadAllText(file).Trim();
    }

    /// <summary>
    /// A loopback port free right now, below the range the OS hands out to outgoing connections (Linux's default
    /// 32768–60999): the port is chosen when the app model is built and bound only when its service starts, and
    /// an ephemeral port could meanwhile be taken by any connection (it was: a service failed with "address
    /// already in use"). Never the same port twice in one run.
    /// </summary>
    public static int FreeLoopbackPort()
    {
        lock (GivenPorts)
        {
            for (var attempt = 0; attempt < 1000; attempt++)
            {
                var port = Random.Shared.Next(20000, 32768);
                if (!GivenPorts.Add(port))
                {
                    continue;
                }
                try
                {
                    var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, port);
                    listener.Start();
                    listener.Stop();
                    return port;
                }
                catch (System.Net.Sockets.SocketException)
                {
                    // Taken: try another.
                }
            }
            throw new InvalidOperationException("No free loopback port between 20000 and 32767.");
        }
    }

    private static readonly HashSet<int> GivenPorts = [];
}
