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
        var output = Directory.CreateTempSubdirectory("clinicbooking-manifest-").FullName;
        try
        {
            var path = Path.Combine(output, "aspire-manifest.json");
            var start = new ProcessStartInfo("dotnet", ["run", "--project", Path.Combine(Root, "AppHost"), "--no-build", "--",
                "--publisher", "manifest", "--output-path", path, "--Infrastructure:Mode=containers"])
            {
                WorkingDirectory = Root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var log = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            await process.WaitForExitAsync(TestContext.Current.CancellationToken);
            Assert.True(process.ExitCode == 0, await log);

            var published = Normalized(path);
            var committed = Normalized(Path.Combine(Root, "deploy", "aspire-manifest.json"));
            Assert.True(JsonNode.DeepEquals(committed, published),
                "deploy/aspire-manifest.json is not what the AppHost publishes: run scripts/containers/manifest.sh and bring deploy/compose.yaml along.");
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    [Fact]
    public void Compose_runs_every_resource_of_the_manifest_with_every_setting_the_AppHost_gives_it()
    {
        var manifest = Normalized(Path.Combine(Root, "deploy", "aspire-manifest.json"))["resources"]!.AsObject();
        var compose = Compose();

        foreach (var (name, resource) in manifest)
        {
            var type = resource!["type"]!.GetValue<string>();
            if (type is not ("project.v0" or "container.v0"))
            {
                continue;
            }
            Assert.True(compose.TryGetValue(name, out var service), $"deploy/compose.yaml has no service {name}.");
            if (type == "project.v0")
            {
                var project = resource["path"]!.GetValue<string>();
                var repository = System.Text.RegularExpressions.Regex.Match(File.ReadAllText(project), "<ContainerRepository>(.*)</ContainerRepository>").Groups[1].Value;
                Assert.Contains($"/{repository}:", service.Image);
                var settings = resource["env"]!.AsObject().Select(e => e.Key).Where(IsApplicationSetting);
                Assert.All(settings, key => Assert.True(service.Environment.ContainsKey(key),
                    $"deploy/compose.yaml's {name} lacks {key}, which the AppHost sets."));
            }
            Assert.Equal("unless-stopped", service.Restart);
        }
        Assert.All(compose.Keys, name => Assert.True(manifest.ContainsKey(name), $"deploy/compose.yaml runs {name}, which the AppHost does not."));
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

    private static Dictionary<string, Service> Compose()
    {
        using var reader = new StreamReader(Path.Combine(Root, "deploy", "compose.yaml"));
        // The merging parser resolves the file's anchors and merge keys (<<) as docker-compose does.
        var document = new DeserializerBuilder().Build()
            .Deserialize<Dictionary<string, object>>(new MergingParser(new Parser(reader)));
        var services = (Dictionary<object, object>)document["services"];
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
