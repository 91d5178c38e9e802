using System.Text.Json;
using ClinicBooking.Gateway.OpenApi;
using Microsoft.OpenApi;

namespace ClinicBooking.UnitTests;

/// <summary>
/// The gateway's one document, merged from a service's and its own: what it routes is kept and what it does
/// not is left out, its own operations take the service's description and replace its answers and parameters,
/// every operation declares what the gateway may answer, and only the schemas in use remain.
/// </summary>
public class OpenApiMergeTests
{
    private const string Service = """
        {
          "openapi": "3.1.1", "info": { "title": "cell", "version": "v1" },
          "tags": [{ "name": "Clinics" }],
          "paths": {
            "/clinics": {
              "get": {
                "tags": ["Clinics"], "operationId": "ListClinics",
                "parameters": [{ "name": "pageSize", "in": "query", "schema": { "type": "integer" } },
                               { "name": "shard", "in": "query", "required": true, "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ClinicPage" } } } } }
              }
            },
            "/clinics/{id}": {
              "put": {
                "operationId": "ReplaceClinic", "security": [{ "oauth2": ["api"] }],
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "requestBody": { "content": { "application/json": { "schema": { "$ref": "#/components/schemas/ClinicRequest" } } } },
                "responses": { "200": { "description": "OK" }, "404": { "description": "" } }
              }
            },
            "/operations/outbox": { "get": { "operationId": "OutboxStats", "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/OutboxStats" } } } } } } }
          },
          "components": {
            "schemas": {
              "ClinicPage": { "type": "object", "properties": { "items": { "type": "array", "items": { "$ref": "#/components/schemas/Clinic" } } } },
              "Clinic": { "type": "object", "properties": { "id": { "type": "integer" } } },
              "ClinicRequest": { "type": "object", "properties": { "address": { "$ref": "#/components/schemas/Address" } } },
              "Address": { "type": "object", "properties": { "street": { "type": "string" } } },
              "OutboxStats": { "type": "object" },
              "ProblemDetails": { "type": "object" }
            },
            "securitySchemes": { "oauth2": { "type": "http", "scheme": "bearer" } }
          }
        }
        """;

    // The gateway answers GET /clinics itself (a fan-out over the cells): its own page, and ?shard optional.
    private const string Gateway = """
        {
          "openapi": "3.1.1", "info": { "title": "gateway", "version": "v1" },
          "paths": {
            "/clinics": {
              "get": {
                "operationId": "ListClinicsAcrossCells",
                "parameters": [{ "name": "shard", "in": "query", "schema": { "type": "integer" } }],
                "responses": { "200": { "description": "OK", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/GatewayClinicPage" } } } } }
              }
            },
            "/shards": { "get": { "operationId": "ListShards", "responses": { "200": { "description": "OK" } } } }
          },
          "components": { "schemas": { "GatewayClinicPage": { "type": "object" } } }
        }
        """;

    private static JsonElement Merged()
    {
        var merged = OpenApiMerge.Merge(Parse(Gateway), [Parse(Service)], path => !path.StartsWith("/operations/"));
        using var text = new StringWriter();
        merged.SerializeAsV31(new OpenApiJsonWriter(text));
        return JsonDocument.Parse(text.ToString()).RootElement;
    }

    private static OpenApiDocument Parse(string json) => OpenApiDocument.Parse(json, OpenApiConstants.Json).Document!;

    [Fact]
    public void Routed_operations_and_the_gateways_own_are_kept_and_the_rest_left_out()
    {
        var paths = Merged().GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["/clinics", "/clinics/{id}", "/shards"], paths);
    }

    [Fact]
    public void The_gateways_own_operation_keeps_the_services_description_and_takes_its_answers_and_parameters_in_place()
    {
        var list = Merged().GetProperty("paths").GetProperty("/clinics").GetProperty("get");
        Assert.Equal("ListClinicsAcrossCells", list.GetProperty("operationId").GetString());
        Assert.Equal("Clinics", list.GetProperty("tags")[0].GetString());
        Assert.Equal("#/components/schemas/GatewayClinicPage",
            list.GetProperty("responses").GetProperty("200").GetProperty("content").GetProperty("application/json").GetProperty("schema").GetProperty("$ref").GetString());
        var parameters = list.GetProperty("parameters").EnumerateArray().ToList();
        Assert.Equal(["pageSize", "shard"], parameters.Select(p => p.GetProperty("name").GetString()));
        Assert.False(parameters[1].TryGetProperty("required", out var required) && required.GetBoolean());
    }

    [Fact]
    public void Every_operation_declares_what_the_gateway_may_answer_and_keeps_what_the_service_said()
    {
        var paths = Merged().GetProperty("paths");
        var replace = paths.GetProperty("/clinics/{id}").GetProperty("put").GetProperty("responses");
        Assert.Equal(["200", "404", "401", "403", "400", "413", "415", "429", "503"], replace.EnumerateObject().Select(r => r.Name));
        Assert.StartsWith("No valid access token", replace.GetProperty("401").GetProperty("description").GetString());
        Assert.StartsWith("Nothing exists at this path", replace.GetProperty("404").GetProperty("description").GetString());

        var list = paths.GetProperty("/clinics").GetProperty("get").GetProperty("responses");
        Assert.StartsWith("A token was sent and does not validate", list.GetProperty("401").GetProperty("description").GetString());
        Assert.False(list.TryGetProperty("403", out _));
        Assert.False(list.TryGetProperty("413", out _));
        Assert.False(list.TryGetProperty("404", out _)); // no id in the path
    }

    [Fact]
    public void Only_the_schemas_in_use_remain_and_the_oauth2_flows_are_described()
    {
        var document = Merged();
        var components = document.GetProperty("components");
        // ClinicPage (and the Clinic it refers to) gave way to the gateway's page; OutboxStats is not routed.
        Assert.Equal(["Address", "ClinicRequest", "GatewayClinicPage", "ProblemDetails"],
            components.GetProperty("schemas").EnumerateObject().Select(s => s.Name));
        var scheme = components.GetProperty("securitySchemes").GetProperty("oauth2");
        Assert.Equal("oauth2", scheme.GetProperty("type").GetString());
        Assert.Equal("/connect/token", scheme.GetProperty("flows").GetProperty("password").GetProperty("tokenUrl").GetString());
        Assert.Equal("oauth2", document.GetProperty("paths").GetProperty("/clinics/{id}").GetProperty("put").GetProperty("security")[0].EnumerateObject().Single().Name);
    }
}
