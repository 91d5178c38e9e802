using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

[assembly: AssemblyFixture(typeof(ClinicBooking.ComponentTests.ScratchPostgres))]

namespace ClinicBooking.ComponentTests;

/// <summary>
/// A PostgreSQL 15 server of the tests' own (Debian's, as the AppHost runs it): a fresh data directory on a free
/// loopback port, started once for the whole tier (about two seconds) and removed at the end. Each test class
/// takes a database of its own (<see cref="CreateDatabaseAsync"/>).
/// </summary>
public sealed class ScratchPostgres : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("clinicbooking-component-").FullName;
    private string _bin = "";
    private int _port;

    public async ValueTask InitializeAsync()
    {
        _bin = Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin"))
            .Where(d => File.Exists(Path.Combine(d, "initdb"))).OrderBy(d => d).LastOrDefault()
            ?? throw new InvalidOperationException("PostgreSQL is not installed (scripts/setup.sh installs it).");
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            _port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        if (Environment.UserName == "root")
        {
            await RunAsync("chown", "-R", "postgres", _directory);
        }
        await RunAsPostgresAsync(Path.Combine(_bin, "initdb"), "-D", Data, "-U", "postgres", "--auth=trust", "--no-sync");
        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-l", Path.Combine(_directory, "log"), "-w", "start",
            "-o", $"-p {_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c synchronous_commit=off");
    }

    private string Data => Path.Combine(_directory, "data");

    /// <summary>A new, empty database; its connection string.</summary>
    public async Task<string> CreateDatabaseAsync(string name)
    {
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }
        return ConnectionString(name);
    }

    private string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={_port};Username=postgres;Database={database};Include Error Detail=true";

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await RunAsPostgresAsync(Path.Combine(_bin, "pg_ctl"), "-D", Data, "-m", "immediate", "-w", "stop");
        Directory.Delete(_directory, recursive: true);
    }

    // As root, PostgreSQL runs as the postgres user (it refuses to run as root).
    private Task RunAsPostgresAsync(string program, params string[] arguments) => Environment.UserName == "root"
        ? RunAsync("setpriv", ["--reuid=postgres", "--regid=postgres", "--init-groups", program, .. arguments])
        : RunAsync(program, arguments);

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} failed ({process.ExitCode}): {await output}{await error}");
        }
    }
}
