using System.Diagnostics;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Serialization;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// The deployment description cannot drift from the AppHost: deploy/aspire-manifest.json is what the AppHost
/// publishes today, and deploy/compose.yaml runs every service and server of it, with every setting the AppHost
/// gives each service (Aspire's own derived variables aside), from the image its project publishes.
/// </summary>
public sealed class DeploymentDescriptionTests
{
    private static readonly string Root = RepositoryRoot();

    [Fact]
    public async Task The_committed_manifest_is_what_the_AppHost_publishes()
    {
        var published = await PublishAsync();
        var committed = Normalized(Path.Combine(Root, "deploy", "aspire-manifest.json"));
        Assert.True(JsonNode.DeepEquals(committed, published),
            "deploy/aspire-manifest.json is not what the AppHost publishes: run scripts/containers/manifest.sh.");
    }

    [Fact]
    public async Task The_committed_compose_file_is_what_compose_sh_writes_for_the_AppHosts_cells()
    {
        var written = await RunAsync("bash", Path.Combine(Root, "scripts", "containers", "compose.sh"));
        Assert.True(written == File.ReadAllText(Path.Combine(Root, "deploy", "compose.yaml")),
            "deploy/compose.yaml is not what scripts/containers/compose.sh writes: run scripts/containers/manifest.sh.");
    }

    [Fact]
    public void Compose_runs_every_resource_of_the_manifest_with_every_setting_the_AppHost_gives_it()
    {
        AssertComposeRunsManifest(
            Normalized(Path.Combine(Root, "deploy", "aspire-manifest.json")),
            File.ReadAllText(Path.Combine(Root, "deploy", "compose.yaml")));
    }

    /// <summary>
    /// A cell more is one setting (Clinics:ShardCount): the AppHost then runs a third shard server and cell, the
    /// gateway routes shard 2 to it, and the compose file written for three cells runs all of it.
    /// </summary>
    [Fact]
    public async Task A_third_cell_is_one_setting_in_the_AppHost_and_in_compose()
    {
        var manifest = await PublishAsync("--Clinics:ShardCount=3");
        var compose = await RunAsync("bash", Path.Combine(Root, "scripts", "containers", "compose.sh"), "--cells", "3");

        var resources = manifest["resources"]!.AsObject();
        Assert.Contains("postgres-shard-2", resources.Select(r => r.Key));
        Assert.Equal("clinicservice-2", resources["gateway"]!["env"]!["ClinicShards__Owners__2"]!.GetValue<string>());
        AssertComposeRunsManifest(manifest, compose);
        var services = Services(compose);
        Assert.Equal("clinicservice-2", services["gateway"].Environment["ClinicShards__Owners__2"]);
        Assert.Equal("2", services["clinicservice-2"].Environment["Cell__Shards__0"]);
        // The cells already running stay up: a third cell changes the gateway's definition and no other.
        var two = Definitions(await RunAsync("bash", Path.Combine(Root, "scripts", "containers", "compose.sh"), "--cells", "2"));
        var three = Definitions(compose);
        Assert.Equal(["gateway"], two.Where(d => d.Value != three[d.Key]).Select(d => d.Key));
        // Every server and service listens on a port of its own (they share the host's network).
        var ports = services.Values.Select(s => s.Environment.GetValueOrDefault("ASPNETCORE_HTTP_PORTS") ?? s.Environment.GetValueOrDefault("PG_PORT"))
            .OfType<string>().ToList();
        Assert.Equal(ports.Count, ports.Distinct().Count());
    }

    /// <summary>The AppHost's containers mode takes its server images as settings (where Docker Hub is out of reach).</summary>
    [Fact]
    public async Task The_AppHosts_server_images_are_settings()
    {
        var manifest = await PublishAsync(
            "--Infrastructure:Images:postgres=127.0.0.1:5000/clinicbooking/postgres:15",
            "--Infrastructure:Images:redis=127.0.0.1:5000/clinicbooking/redis:7",
            "--Infrastructure:Images:rabbitmq=registry.example.org/clinicbooking/rabbitmq:3.10");
        var resources = manifest["resources"]!.AsObject();
        Assert.Equal("127.0.0.1:5000/clinicbooking/postgres:15", resources["postgres-global"]!["image"]!.GetValue<string>());
        Assert.Equal("127.0.0.1:5000/clinicbooking/postgres:15", resources["postgres-shard-1"]!["image"]!.GetValue<string>());
        Assert.Equal("127.0.0.1:5000/clinicbooking/redis:7", resources["redis"]!["image"]!.GetValue<string>());
        Assert.Equal("registry.example.org/clinicbooking/rabbitmq:3.10", resources["rabbitmq"]!["image"]!.GetValue<string>());
    }

    private static void AssertComposeRunsManifest(JsonNode manifestDocument, string composeYaml)
    {
        var manifest = manifestDocument["resources"]!.AsObject();
        var compose = Services(composeYaml);

        foreach (var (name, resource) in manifest)
        {
            var type = resource!["type"]!.GetValue<string>();
            if (type is not ("project.v0" or "container.v0"))
            {
                continue;
            }
            Assert.True(compose.TryGetValue(name, out var service), $"The compose file has no service {name}.");
            if (type == "project.v0")
            {
                var project = resource["path"]!.GetValue<string>();
                var repository = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(project), "<ContainerRepository>(.*)</ContainerRepository>").Groups[1].Value;
                Assert.Contains($"/{repository}:", service.Image);
                var settings = resource["env"]!.AsObject().Select(e => e.Key).Where(IsApplicationSetting);
                Assert.All(settings, key => Assert.True(service.Environment.ContainsKey(key),
                    $"The compose file's {name} lacks {key}, which the AppHost sets."));
            }
            Assert.Equal("unless-stopped", service.Restart);
        }
        Assert.All(compose.Keys, name => Assert.True(manifest.ContainsKey(name), $"The compose file runs {name}, which the AppHost does not."));
    }

    /// <summary>The AppHost's manifest (containers mode), published with <paramref name="settings"/>.</summary>
    private static async Task<JsonNode> PublishAsync(params string[] settings)
    {
        var output = Directory.CreateTempSubdirectory("clinicbooking-manifest-").FullName;
        try
        {
            var path = Path.Combine(output, "aspire-manifest.json");
            await RunAsync("dotnet", ["run", "--project", Path.Combine(Root, "AppHost"), "--no-build", "--",
                "--publisher", "manifest", "--output-path", path, "--Infrastructure:Mode=containers", .. settings]);
            return Normalized(path);
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    /// <summary>Runs a command at the repository root and returns what it printed; fails the test when it fails.</summary>
    private static async Task<string> RunAsync(string command, params string[] arguments)
    {
        var start = new ProcessStartInfo(command, arguments)
        {
            WorkingDirectory = Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var errors = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, $"{command} {string.Join(' ', arguments)} failed: {await errors}{await output}");
        return await output;
    }

    /// <summary>
    /// A setting the service reads (ConnectionStrings__x, Identity__Url, services__x__http__0, ...). Aspire's
    /// derived copies (REDIS_HOST, CUSTOMERSDB_URI, the upper-case service URLs), its port and forwarding
    /// switches are not; nor the underscore alias of a hyphenated connection name, which compose spells once;
    /// nor the https addresses of services, which talk plain HTTP to each other (TLS ends in front of the gateway).
    /// </summary>
    private static bool IsApplicationSetting(string key) =>
        key.Any(char.IsLower) && !key.StartsWith("ConnectionStrings__shard_", StringComparison.Ordinal) && !key.Contains("__https__", StringComparison.Ordinal);

    private sealed record Service(string Image, string Restart, Dictionary<string, string> Environment);

    /// <summary>Each service's whole definition, anchors and merge keys resolved, as text.</summary>
    private static Dictionary<string, string> Definitions(string composeYaml) =>
        ((Dictionary<object, object>)Document(composeYaml)["services"])
            .ToDictionary(s => (string)s.Key, s => new SerializerBuilder().Build().Serialize(s.Value));

    private static Dictionary<string, object> Document(string composeYaml)
    {
        using var reader = new StringReader(composeYaml);
        // The merging parser resolves the file's anchors and merge keys (<<) as docker-compose does.
        return new DeserializerBuilder().Build().Deserialize<Dictionary<string, object>>(new MergingParser(new Parser(reader)));
    }

    private static Dictionary<string, Service> Services(string composeYaml)
    {
        var services = (Dictionary<object, object>)Document(composeYaml)["services"];
        return services.ToDictionary(s => (string)s.Key, s =>
        {
            var service = (Dictionary<object, object>)s.Value;
            var environment = service.TryGetValue("environment", out var env)
                ? ((Dictionary<object, object>)env).ToDictionary(e => (string)e.Key, e => e.Value?.ToString() ?? "")
                : [];
            return new Service((string)service["image"], (string)service["restart"], environment);
        });
    }

    /// <summary>The manifest with each project path made absolute, so two written in different folders compare.</summary>
    private static JsonNode Normalized(string path)
    {
        var manifest = JsonNode.Parse(File.ReadAllText(path))!;
        foreach (var (_, resource) in manifest["resources"]!.AsObject())
        {
            if (resource?["path"] is { } project)
            {
                resource["path"] = Path.GetFullPath(project.GetValue<string>(), Path.GetDirectoryName(path)!);
            }
            // Bind mounts (the replicas' script, the primaries' init files) name their source relative to the manifest.
            foreach (var mount in resource?["bindMounts"]?.AsArray() ?? [])
            {
                mount!["source"] = Path.GetFullPath(mount["source"]!.GetValue<string>(), Path.GetDirectoryName(path)!);
            }
        }
        return manifest;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClinicBooking.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("The repository root (ClinicBooking.sln) was not found.");
    }
}
