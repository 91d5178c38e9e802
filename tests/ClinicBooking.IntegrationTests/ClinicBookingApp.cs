using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

[assembly: AssemblyFixture(typeof(ClinicBooking.IntegrationTests.ClinicBookingApp))]

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// The whole system, started once for the test run from the real AppHost in `processes` mode: real
/// PostgreSQL, Redis and RabbitMQ servers, every service, and the gateway. Tests talk to the gateway only.
/// Its data lives in a throw-away directory. Since the tests share it, and some restart parts of it,
/// xunit.runner.json runs them one at a time.
/// </summary>
public sealed class ClinicBookingApp : IAsyncLifetime
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The shard whose cell runs with its clock skewed (<see cref="CellClockSkew"/> ahead of the real time).</summary>
    public const int SkewedShard = 1;

    /// <summary>How long a booking paid when booked holds its slot unpaid in the tests' cells.</summary>
    public static readonly TimeSpan PaymentHold = TimeSpan.FromSeconds(45);

    public static readonly TimeSpan CellClockSkew = TimeSpan.FromHours(1);

    private static string FakeTimeLibrary =>
        Directory.GetFiles("/usr/lib", "libfaketimeMT.so.1",
            new EnumerationOptions { RecurseSubdirectories = true, IgnoreInaccessible = true, MaxRecursionDepth = 3 }).FirstOrDefault()
        ?? throw new InvalidOperationException("libfaketime is not installed (scripts/test.sh installs it).");

    private readonly string _dataDirectory =
        Path.Combine(Path.GetTempPath(), $"clinicbooking-tests-{Guid.NewGuid():N}");

    private DistributedApplication? _app;

    public DistributedApplication App => _app ?? throw new InvalidOperationException("The app has not started.");

    /// <summary>The gateway, called as the administrator (whose token every existing suite uses).</summary>
    public HttpClient Gateway { get; private set; } = null!;

    /// <summary>The gateway, called with no token.</summary>
    public HttpClient Anonymous { get; private set; } = null!;

    /// <summary>The web app's address, as a browser reaches it (e.g. http://localhost:5123).</summary>
    public string WebAppUrl { get; private set; } = "";

    /// <summary>The local mail server's inbox (smtp4dev): every mail the system sent.</summary>
    public MailInbox Inbox { get; private set; } = null!;

    /// <summary>The administrator's access token, from the password grant with the generated password.</summary>
    public string AdministratorToken { get; private set; } = "";

    public string AdministratorPassword => File.ReadAllText(Path.Combine(_dataDirectory, "secrets", "identity-admin")).Trim();

    public string DataDirectory => _dataDirectory;

    public ResourceNotificationService Notifications => App.Services.GetRequiredService<ResourceNotificationService>();

    public ResourceCommandService Commands => App.Services.GetRequiredService<ResourceCommandService>();

    public async ValueTask InitializeAsync()
    {
        // Created with the default umask (0755), so the `postgres` user can reach it when tests run as root.
        Directory.CreateDirectory(_dataDirectory);
        using var timeout = new CancellationTokenSource(StartTimeout);

        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--Infrastructure:Mode=processes", $"--Infrastructure:DataDirectory={_dataDirectory}", $"--Gateway:Port={ClinicBooking.AppHost.AppHostConfiguration.FreeLoopbackPort()}",
             $"--WebApp:Port={ClinicBooking.AppHost.AppHostConfiguration.FreeLoopbackPort()}",
             $"--Mail:InboxPort={ClinicBooking.AppHost.AppHostConfiguration.FreeLoopbackPort()}",
             // No read replicas: these tests read what they (or an administrator, or staff) have just written as someone
             // else, which replicas may show up to their bound later. The replicas' own tests are ReadReplicaTests
             // (component tier); README's walk and the system from images run with them. Nor the global server's
             // standby, which nothing reads: it would only slow the start.
             "--Replicas:PerShard=0", "--Replicas:Global=0"],
            (options, _) => options.DisableDashboard = true,
            timeout.Token);
        builder.Services.AddLogging(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddFilter("Aspire.Hosting.Dcp", LogLevel.Error)
            // Servers are probed until they answer; the failed probes before that are expected.
            .AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.None));

        // Without the dashboard nothing receives telemetry: a service exporting to nobody retries in memory
        // and then takes longer to stop than the orchestrator waits when a test stops or restarts it.
        foreach (var project in builder.Resources.OfType<ProjectResource>())
        {
            project.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
                context.EnvironmentVariables.Remove("OTEL_EXPORTER_OTLP_ENDPOINT")));
        }

        // The cell of shard 1 runs with its clock an hour ahead (libfaketime, installed by scripts/test.sh), so
        // every test of shard 1 shows that the database's clock, not the service's, decides "now".
        var skewed = builder.Resources.OfType<ProjectResource>().Single(p => p.Name == ResourceNames.ClinicCell(SkewedShard));
        skewed.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
        {
            context.EnvironmentVariables["LD_PRELOAD"] = FakeTimeLibrary;
            context.EnvironmentVariables["FAKETIME"] = "+1h";
        }));

        // A booking paid when booked has 45 s to be paid here (15 minutes by default), so a test sees an unpaid one
        // expire and its slot freed while it waits.
        foreach (var cell in builder.Resources.OfType<ProjectResource>().Where(p => p.Name.StartsWith("clinicservice-", StringComparison.Ordinal)))
        {
            cell.Annotations.Add(new EnvironmentCallbackAnnotation(context => context.EnvironmentVariables["Booking__PaymentHold"] = PaymentHold.ToString("c")));
        }

        // The skewed cell lives an hour ahead, where an access token of the usual one-hour lifetime has already
        // expired; tokens in the tests live longer, so that cell accepts them as the others do.
        var identity = builder.Resources.OfType<ProjectResource>().Single(p => p.Name == ResourceNames.IdentityService);
        identity.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
            context.EnvironmentVariables["Identity__AccessTokenLifetime"] = "04:00:00"));

        // Tests send 200 bookings at once on purpose (races, concurrency); they wait in the gateway's admission
        // queue instead of being shed, so they still go through at most 32 at a time. bench/run-rush.sh sheds.
        var gateway = builder.Resources.OfType<ProjectResource>().Single(p => p.Name == ResourceNames.Gateway);
        gateway.Annotations.Add(new EnvironmentCallbackAnnotation(context =>
        {
            context.EnvironmentVariables["Admission__Bookings__QueueLimit"] = "512";
            context.EnvironmentVariables["Admission__Other__QueueLimit"] = "512";
            context.EnvironmentVariables["Admission__FanOut__QueueLimit"] = "512";
            // Every suite calls as the one administrator, hundreds of requests in a burst: that user's limit is
            // lifted. The other limits stay finite; RateLimitTests reach them from addresses of their own.
            context.EnvironmentVariables["RateLimits__PerUser__TokenLimit"] = "1000000";
            context.EnvironmentVariables["RateLimits__PerUser__TokensPerSecond"] = "1000000";
            context.EnvironmentVariables["RateLimits__PerClient__TokenLimit"] = RateLimits.PerClientBurst.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.EnvironmentVariables["RateLimits__PerClient__TokensPerSecond"] = "50";
            context.EnvironmentVariables["RateLimits__SignIn__PermitLimit"] = RateLimits.SignInPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.EnvironmentVariables["RateLimits__SignUp__PermitLimit"] = RateLimits.SignUpPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }));

        _app = await builder.BuildAsync(timeout.Token);
        await _app.StartAsync(timeout.Token);
        await Notifications.WaitForResourceHealthyAsync(ResourceNames.Gateway, timeout.Token);
        await Notifications.WaitForResourceHealthyAsync(ResourceNames.WebApp, timeout.Token);
        WebAppUrl = _app.GetEndpoint(ResourceNames.WebApp, "http").ToString().TrimEnd('/');
        Inbox = new MailInbox(new HttpClient { BaseAddress = _app.GetEndpoint(ResourceNames.MailServer, "inbox") });
        Anonymous = _app.CreateHttpClient(ResourceNames.Gateway);
        AdministratorToken = await Tokens.PasswordGrantAsync(Anonymous, AdministratorEmail, AdministratorPassword, timeout.Token);
        Gateway = CreateClient(ResourceNames.Gateway, AdministratorToken);
    }

    public const string AdministratorEmail = "admin@clinicbooking.local";

    /// <summary>A client of one resource (the gateway, or a service directly), with <paramref name="token"/> if given.</summary>
    public HttpClient CreateClient(string resource, string? token)
    {
        var client = App.CreateHttpClient(resource);
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        return client;
    }

    /// <summary>A service called directly (not through the gateway), as the administrator.</summary>
    public HttpClient CreateServiceClient(string resource) => CreateClient(resource, AdministratorToken);

    /// <summary>
    /// An open connection to one of the app's databases, with the service's own credentials. Unpooled: tests
    /// stop and restart the database servers, and a pooled session from before a restart is dead
    /// (57P01 "terminating connection due to administrator command") when the next test picks it up.
    /// </summary>
    public async Task<NpgsqlConnection> OpenDatabaseAsync(string resource)
    {
        var settings = new NpgsqlConnectionStringBuilder(await App.GetConnectionStringAsync(resource, TestContext.Current.CancellationToken))
        {
            Pooling = false,
        };
        var connection = new NpgsqlConnection(settings.ConnectionString);
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    /// <summary>Stops a resource through the AppHost, as an operator would from the dashboard.</summary>
    public async Task StopAsync(string resource)
    {
        var result = await Commands.ExecuteCommandAsync(resource, KnownResourceCommands.StopCommand, TestContext.Current.CancellationToken);
        Assert.True(result.Success, result.Message);
    }

    /// <summary>Starts a stopped resource and waits until it runs again and is healthy.</summary>
    public Task StartAsync(string resource) => RunCommandAndWaitAsync(resource, KnownResourceCommands.StartCommand);

    /// <summary>
    /// Restarts a resource and waits until it runs again and is healthy. Stop, then start: after a one-step
    /// restart the snapshot can still show the old run as running and healthy.
    /// </summary>
    public async Task RestartAsync(string resource)
    {
        await StopAsync(resource);
        await StartAsync(resource);
    }

    private async Task RunCommandAndWaitAsync(string resource, string command)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(2));
        var result = await Commands.ExecuteCommandAsync(resource, command, timeout.Token);
        Assert.True(result.Success, result.Message);
        // The snapshot may still show the stopped run for a moment; wait for the new one.
        await Notifications.WaitForResourceAsync(resource, e => e.Snapshot.State?.Text == KnownResourceStates.Running, timeout.Token);
        await Notifications.WaitForResourceHealthyAsync(resource, timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        Gateway?.Dispose();
        Anonymous?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // A server still flushing its files; the directory is in the temp folder either way.
        }
    }
}
