using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Caller = ClinicBooking.IntegrationTests.AuthorizationMatrixTests.Caller;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// Who may set each field (issue 26, finding 2). Every field of every request body in the gateway's OpenAPI
/// document names its owner roles (<c>x-set-by</c>); a field without one fails the test, so no field ships
/// without a decision. Then every role that may call an operation (the authorization matrix's rows) sends, for
/// each field it does not own, a body that sets just that field, against its own objects: refused with 403,
/// naming the field, before anything else is looked at.
/// </summary>
public sealed class FieldOwnershipTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly Dictionary<Caller, string> RoleOf = new()
    {
        [Caller.Anonymous] = "anonymous",
        [Caller.CustomerA] = "customer",
        [Caller.StaffX] = "staff",
        [Caller.Administrator] = "admin",
    };

    [Fact]
    public async Task Every_body_field_has_an_owner_and_no_other_role_can_set_it()
    {
        var document = await app.Anonymous.GetFromJsonAsync<JsonNode>("/openapi/v1.json", Ct);
        var bodies = BodyFields(document!);
        Assert.NotEmpty(bodies);
        var unowned = bodies.SelectMany(b => b.Value.Where(f => f.Value.Owners.Length == 0).Select(f => $"{b.Key}: {f.Key} has no x-set-by")).ToList();
        Assert.Empty(unowned);

        var world = await AuthorizationMatrixTests.World.CreateAsync(app);
        var failures = new List<string>();
        var tried = 0;
        foreach (var (operation, fields) in bodies)
        {
            var rule = AuthorizationMatrixTests.Table[operation];
            foreach (var (caller, role) in RoleOf.Where(c => rule.Expected[(int)c.Key] == AuthorizationMatrixTests.Ok))
            {
                foreach (var (field, (owners, sample)) in fields.Where(f => !f.Value.Owners.Contains(role) && !f.Value.Owners.Contains("anyone")))
                {
                    tried++;
                    var body = new JsonObject { [field] = sample.DeepClone() }.ToJsonString();
                    using var request = world.Request(operation, caller, body);
                    using var response = await app.Anonymous.SendAsync(request, Ct);
                    var text = await response.Content.ReadAsStringAsync(Ct);
                    if (response.StatusCode != HttpStatusCode.Forbidden || !text.Contains($"\"field\":\"{field}\"", StringComparison.Ordinal))
                    {
                        failures.Add($"{operation} as {caller} setting {field} (owned by {string.Join(", ", owners)}): {(int)response.StatusCode} {text[..Math.Min(200, text.Length)]}");
                    }
                }
            }
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // The rules above must have been put to the test: the customer's and the clinic's isActive at least.
        Assert.True(tried >= 4, $"Only {tried} refusals were tried.");
    }

    /// <summary>A deactivated customer cannot undo the administrator's decision, by PATCH or PUT.</summary>
    [Fact]
    public async Task A_deactivated_customer_cannot_reactivate_themselves()
    {
        var customer = await Tokens.NewCustomerAsync(app, "Dee Activated", Ct);
        (await app.Gateway.DeleteAsync($"/customers/{customer.CustomerId}", Ct)).EnsureSuccessStatusCode();
        foreach (var (method, body, type) in new[]
        {
            (HttpMethod.Patch, """{"isActive": true}""", "application/merge-patch+json"),
            (HttpMethod.Put, $$"""{"name": "Dee", "email": "{{customer.Email}}", "isActive": true}""", "application/json"),
        })
        {
            using var response = await app.Anonymous.SendAsync(
                new HttpRequestMessage(method, $"/customers/{customer.CustomerId}") { Content = Http.Json(body, type) }.As(customer.Token), Ct);
            Assert.True(response.StatusCode is HttpStatusCode.Forbidden or HttpStatusCode.Unauthorized,
                $"{method} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        }
        var record = await app.Gateway.GetFromJsonAsync<JsonElement>($"/customers/{customer.CustomerId}", Ct);
        Assert.False(record.GetProperty("isActive").GetBoolean());
    }

    /// <summary>
    /// Each operation with a body, its fields, their owners and a value of each field's type. A merge patch
    /// (PATCH) sets the fields of its resource's PUT body, so it takes that body's fields.
    /// </summary>
    private static Dictionary<string, Dictionary<string, (string[] Owners, JsonNode Sample)>> BodyFields(JsonNode document)
    {
        var schemas = document["components"]?["schemas"]?.AsObject();
        JsonObject? Resolve(JsonNode? schema) =>
            schema?["$ref"]?.GetValue<string>() is { } reference ? schemas?[reference.Split('/')[^1]]?.AsObject() : schema?.AsObject();
        JsonObject? BodySchema(JsonNode? operation) =>
            operation?["requestBody"]?["content"]?.AsObject().Select(c => Resolve(c.Value?["schema"])).FirstOrDefault(s => s?["properties"] is not null);

        var result = new Dictionary<string, Dictionary<string, (string[], JsonNode)>>();
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject().Where(m => m.Key is "put" or "post" or "patch"))
            {
                var schema = BodySchema(operation) ?? (method == "patch" ? BodySchema(item["put"]) : null);
                if (schema is null)
                {
                    continue;
                }
                result[$"{method.ToUpperInvariant()} {path}"] = schema["properties"]!.AsObject().ToDictionary(
                    p => p.Key,
                    p => (p.Value?["x-set-by"]?.AsArray().Select(o => o!.GetValue<string>()).ToArray() ?? [], Sample(Resolve(p.Value))));
            }
        }
        return result;
    }

    private static JsonNode Sample(JsonObject? schema)
    {
        var types = schema?["type"] switch
        {
            JsonArray many => many.Select(t => t!.GetValue<string>()).ToArray(),
            JsonValue one => [one.GetValue<string>()],
            _ => [],
        };
        return types.Contains("object") ? new JsonObject()
            : types.Contains("boolean") ? JsonValue.Create(true)
            : types.Contains("integer") || types.Contains("number") ? JsonValue.Create(1)
            : schema?["format"]?.GetValue<string>() == "date" ? JsonValue.Create("2030-01-01")
            : JsonValue.Create("x");
    }
}
