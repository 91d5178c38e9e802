using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>The gateway's one OpenAPI document: complete, true to what the gateway serves, and lint-clean.</summary>
public class OpenApiTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<JsonElement> DocumentAsync()
    {
        var response = await app.Gateway.GetAsync("/openapi/v1.json", Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.ReadJsonAsync();
    }

    private static IEnumerable<(string Path, string Method, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(m => m.Name is "get" or "put" or "post" or "delete" or "patch")
            .Select(m => (path.Name, m.Name, m.Value)));

    [Fact]
    public async Task The_gateway_serves_one_document_of_everything_it_routes_and_nothing_it_does_not()
    {
        var document = await DocumentAsync();
        var operations = Operations(document).Select(o => $"{o.Method.ToUpperInvariant()} {o.Path}").ToHashSet();

        // From each source: CustomerService, a cell, a body-routed write, and the gateway's own fan-outs.
        Assert.Contains("POST /customers", operations);
        Assert.Contains("PUT /bookingSlots/{slotId}/booking", operations);
        Assert.Contains("POST /clinics", operations);
        Assert.Contains("POST /availability/createBookingSlots", operations);
        Assert.Contains("GET /availability/search", operations);
        Assert.Contains("GET /shards", operations);
        // What the gateway does not serve.
        Assert.DoesNotContain(operations, o => o.Contains("/operations/"));
        Assert.Equal(HttpStatusCode.NotFound, (await app.Gateway.GetAsync("/operations/outbox", Ct)).StatusCode);

        // Each operation: an id, a summary, and problem answers for what the gateway itself may refuse.
        var ids = new HashSet<string>();
        foreach (var (path, method, operation) in Operations(document))
        {
            var id = operation.GetProperty("operationId").GetString();
            Assert.True(ids.Add(id!), $"operationId {id} repeats");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{method} {path} has no summary");
            var responses = operation.GetProperty("responses");
            foreach (var status in new[] { "400", "503" })
            {
                Assert.True(responses.TryGetProperty(status, out var answer), $"{method} {path} does not declare {status}");
                Assert.True(answer.GetProperty("content").TryGetProperty("application/problem+json", out _), $"{method} {path} {status} is not a problem");
            }
        }

        // Each group of operations says what it is about (generators and the reference page show it).
        Assert.All(document.GetProperty("tags").EnumerateArray(), tag => Assert.False(
            string.IsNullOrWhiteSpace(tag.TryGetProperty("description", out var description) ? description.GetString() : null),
            $"Tag {tag.GetProperty("name").GetString()} has no description."));

        // The fan-out's answer is the gateway's (a slot or null, with partial), not a cell's.
        var next = document.GetProperty("paths").GetProperty("/availability/next").GetProperty("get").GetProperty("responses");
        Assert.False(next.TryGetProperty("204", out _));
        Assert.Contains("NextAvailableResponse", next.GetProperty("200").GetRawText());
    }

    [Fact]
    public async Task Request_schemas_carry_the_rules_the_validators_enforce_and_require_only_what_is_required()
    {
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        var customer = schemas.GetProperty("CreateCustomerRequest");
        Assert.Equal(["email", "name"], customer.GetProperty("required").EnumerateArray().Select(r => r.GetString()).Order());
        Assert.Equal(200, customer.GetProperty("properties").GetProperty("name").GetProperty("maxLength").GetInt32());
        Assert.True(customer.GetProperty("properties").GetProperty("name").TryGetProperty("pattern", out _));

        var template = schemas.GetProperty("DoctorSlotRequest");
        Assert.Equal(["timeSlotId"], template.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        var weekday = template.GetProperty("properties").GetProperty("weekday");
        Assert.Equal("1", weekday.GetProperty("minimum").ToString());
        Assert.Equal("7", weekday.GetProperty("maximum").ToString());

        var clinic = schemas.GetProperty("ClinicRequest");
        Assert.DoesNotContain("address", clinic.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }

    /// <summary>
    /// Issue 27, finding 8: the rules the API enforces and the document did not state. A shift's times are
    /// HH:mm; the Idempotency-Key header's characters and length; the patients' ids required and counted
    /// (maxItems, not a maximum value); the placement shard of a new clinic optional.
    /// </summary>
    [Fact]
    public async Task Parameters_and_fields_state_every_rule_the_API_enforces()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");
        JsonElement Parameter(string path, string method, string name) =>
            paths.GetProperty(path).GetProperty(method).GetProperty("parameters").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
        static bool Required(JsonElement parameter) => parameter.TryGetProperty("required", out var required) && required.GetBoolean();

        var shift = document.GetProperty("components").GetProperty("schemas").GetProperty("TimeSlotRequest").GetProperty("properties");
        foreach (var field in new[] { "startTime", "endTime" })
        {
            var pattern = new System.Text.RegularExpressions.Regex(shift.GetProperty(field).GetProperty("pattern").GetString()!);
            Assert.Matches(pattern, "09:30");
            Assert.Matches(pattern, "23:59");
            Assert.DoesNotMatch(pattern, "9:30am");
            Assert.DoesNotMatch(pattern, "24:00");
        }

        var key = Parameter("/bookingSlots/{slotId}/booking", "put", "Idempotency-Key").GetProperty("schema");
        Assert.Equal(200, key.GetProperty("maxLength").GetInt32());
        Assert.Equal(1, key.GetProperty("minLength").GetInt32());
        Assert.Matches(key.GetProperty("pattern").GetString()!, "6d1f0c2e-ok_~!");
        Assert.DoesNotMatch(key.GetProperty("pattern").GetString()!, "with space");

        var ids = Parameter("/clinics/{clinicId}/patients", "get", "id");
        Assert.True(Required(ids), "GET /clinics/{clinicId}/patients answers 400 without an id, so id is required.");
        Assert.Equal(100, ids.GetProperty("schema").GetProperty("maxItems").GetInt32());
        Assert.False(ids.GetProperty("schema").TryGetProperty("maximum", out _), "maximum bounds each id's value, not how many.");

        Assert.False(Required(Parameter("/clinics", "post", "shard")), "POST /clinics places the clinic itself when no shard is named.");
    }

    /// <summary>
    /// Issue 27, finding 8: each operation states the token it needs as OpenAPI means it. A requirement naming
    /// the oauth2 scheme and the api scope, or none at all ([]) for a public one; never an empty requirement
    /// ({}), which means "no token needed" although the operation refuses a call without one. And every
    /// operation declares 401: a token that does not validate is refused even where none is needed.
    /// </summary>
    [Fact]
    public async Task Every_operation_states_the_token_it_needs_and_declares_401()
    {
        var document = await DocumentAsync();
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("oauth2");
        Assert.Equal("oauth2", scheme.GetProperty("type").GetString());
        var needsToken = new Dictionary<string, bool>();
        foreach (var (path, method, operation) in Operations(document))
        {
            var name = $"{method.ToUpperInvariant()} {path}";
            var requirements = operation.GetProperty("security").EnumerateArray().ToList();
            Assert.All(requirements, r => Assert.True(r.TryGetProperty("oauth2", out var scopes) && scopes.EnumerateArray().Any(s => s.GetString() == "api"),
                $"{name}: a security requirement without the oauth2 scheme's api scope ({r.GetRawText()})."));
            needsToken[name] = requirements.Count > 0;
            Assert.True(operation.GetProperty("responses").TryGetProperty("401", out _), $"{name} does not declare 401.");
        }
        Assert.False(needsToken["GET /availability/search"]);
        Assert.False(needsToken["POST /account/register"]);
        Assert.True(needsToken["POST /clinics"]);
        Assert.True(needsToken["PUT /bookingSlots/{slotId}/booking"]);
        Assert.True(needsToken["GET /customers/{id}"]);
    }

    /// <summary>
    /// Issue 27, finding 8: an id a response gives is typed as the path that takes it (integer), not "integer or
    /// string", so a generated client passes it on without a cast; and the API refuses a number sent as a string.
    /// </summary>
    [Fact]
    public async Task Ids_and_counts_are_integers_in_every_schema_and_on_the_wire()
    {
        var document = await DocumentAsync();
        var loose = document.GetProperty("components").GetProperty("schemas").EnumerateObject()
            .SelectMany(schema => schema.Value.TryGetProperty("properties", out var properties)
                ? properties.EnumerateObject().Where(p => p.Value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.Array
                    && type.EnumerateArray().Any(t => t.GetString() == "string") && type.EnumerateArray().Any(t => t.GetString() is "integer" or "number"))
                    .Select(p => $"{schema.Name}.{p.Name}")
                : [])
            .ToList();
        Assert.True(loose.Count == 0, $"Typed integer or string: {string.Join(", ", loose)}");
        using var stringly = await app.Gateway.PostAsync("/clinics", Http.Json("""{"name": "Stringly", "timeZone": "Europe/Berlin", "maxActiveBookingsPerCustomer": "3"}"""), Ct);
        await stringly.AssertProblemAsync(400);
    }

    [Fact]
    public async Task Spectral_and_Redocly_find_no_error_in_the_document()
    {
        var path = Path.Combine(Path.GetTempPath(), $"clinicbooking-openapi-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, await app.Gateway.GetStringAsync("/openapi/v1.json", Ct), Ct);
        try
        {
            var spectral = await LintAsync("spectral", $"lint --fail-severity error --ruleset .spectral.yaml {path}");
            Assert.True(spectral.ExitCode == 0, $"Spectral:\n{spectral.Output}");
            var redocly = await LintAsync("redocly", $"lint --config redocly.yaml {path}");
            Assert.True(redocly.ExitCode == 0, $"Redocly:\n{redocly.Output}");
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Issue 27: a client generated from the document by a common generator (openapi-typescript, with
    /// openapi-fetch) compiles in TypeScript's strict mode and runs README's booking journey through the
    /// gateway, with no casts and no hand-written API types (scripts/openapi/client/journey.mts).
    /// </summary>
    [Fact]
    public async Task A_client_generated_from_the_document_runs_the_booking_journey()
    {
        var script = Path.Combine(RepositoryRoot(), "scripts", "openapi", "client-journey.sh");
        var start = new ProcessStartInfo(script, ["--gateway", app.Gateway.BaseAddress!.ToString().TrimEnd('/')])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["ADMIN_PASSWORD"] = app.AdministratorPassword;
        start.Environment["INBOX"] = app.Inbox.Url.AbsoluteUri.TrimEnd('/');
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        var log = await output + await error;
        Assert.True(process.ExitCode == 0, $"The generated client's journey failed:\n{log}");
        Assert.Contains("ok compiled in strict mode", log);
        Assert.Contains("journey complete", log);
    }

    [Fact]
    public async Task The_interactive_reference_is_served_at_the_gateway()
    {
        var page = await app.Gateway.GetStringAsync("/scalar", Ct);
        Assert.Contains("ClinicBooking API", page);
        Assert.Contains("v1.json", page.Replace("\\/", "/"));
        // Its scripts come from the gateway itself (no CDN: the reference works where only the gateway is reachable).
        var scripts = System.Text.RegularExpressions.Regex.Matches(page, "<script[^>]+src=\"([^\"]+)\"").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            Assert.DoesNotContain("://", script);
            var url = script.StartsWith('/') ? script : "/scalar/" + script;
            Assert.Equal(HttpStatusCode.OK, (await app.Gateway.GetAsync(url, Ct)).StatusCode);
        }
    }

    /// <summary>Runs a linter installed by scripts/test.sh (scripts/openapi/node_modules).</summary>
    private static async Task<(int ExitCode, string Output)> LintAsync(string tool, string arguments)
    {
        var directory = Path.Combine(RepositoryRoot(), "scripts", "openapi");
        var executable = Path.Combine(directory, "node_modules", ".bin", tool);
        Assert.True(File.Exists(executable), $"{executable} is missing: run scripts/test.sh, which installs it (npm ci).");
        using var process = Process.Start(new ProcessStartInfo(executable, arguments)
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        return (process.ExitCode, await output + await error);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ClinicBooking.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }
}
