using System.Text.Json.Nodes;

namespace ClinicBooking.Gateway.OpenApi;

/// <summary>
/// Merges the services' OpenAPI documents with the gateway's own into the one document clients read.
/// An operation the gateway answers itself (a fan-out) starts from the service's description of the same
/// operation (its parameters, body and errors) and takes the gateway's answers in place of the service's.
/// </summary>
public static class OpenApiMerge
{
    private const string Problem = "#/components/schemas/ProblemDetails";
    private static readonly string[] Methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

    /// <param name="gateway">The gateway's own document: the operations it answers itself.</param>
    /// <param name="services">The services' documents.</param>
    /// <param name="routed">Whether the gateway forwards a documented path to the services at all.</param>
    public static JsonObject Merge(JsonNode gateway, IReadOnlyList<JsonNode> services, Func<string, bool> routed)
    {
        var paths = new JsonObject();
        var schemas = new JsonObject();
        var tags = new JsonArray();
        var ownPaths = gateway["paths"]?.AsObject() ?? [];

        foreach (var service in services)
        {
            foreach (var (path, item) in service["paths"]?.AsObject() ?? [])
            {
                foreach (var method in Methods.Where(m => item?[m] is not null))
                {
                    var own = ownPaths[path]?[method] as JsonObject;
                    if (own is null && !routed(path))
                    {
                        continue;
                    }
                    var operation = item![method]!.DeepClone().AsObject();
                    if (own is not null)
                    {
                        Override(operation, own);
                    }
                    PathItem(paths, path)[method] = operation;
                }
            }
            Union(schemas, service["components"]?["schemas"]?.AsObject());
            UnionTags(tags, service["tags"]?.AsArray());
        }
        // Operations only the gateway has (e.g. GET /shards).
        foreach (var (path, item) in ownPaths)
        {
            foreach (var method in Methods.Where(m => item?[m] is not null && paths[path]?[m] is null))
            {
                PathItem(paths, path)[method] = item![method]!.DeepClone();
            }
        }
        Union(schemas, gateway["components"]?["schemas"]?.AsObject());
        UnionTags(tags, gateway["tags"]?.AsArray());
        schemas.TryAdd("ProblemDetails", ProblemDetailsSchema());

        foreach (var (path, item) in paths)
        {
            foreach (var method in Methods.Where(m => item?[m] is not null))
            {
                DeclareGatewayAnswers(path, item![method]!.AsObject());
            }
        }

        Prune(schemas, paths);

        return new JsonObject
        {
            ["openapi"] = "3.1.1",
            ["info"] = new JsonObject
            {
                ["title"] = "ClinicBooking API",
                ["version"] = "v1",
                ["description"] = "Every operation the ClinicBooking gateway serves. Errors are RFC 9457 problem details " +
                                  "(application/problem+json) with a detail that says what to change.",
                ["license"] = new JsonObject { ["name"] = "Proprietary", ["identifier"] = "LicenseRef-Proprietary" },
            },
            ["servers"] = new JsonArray(new JsonObject { ["url"] = "/", ["description"] = "The gateway that serves this document" }),
            // Each operation says whether it needs a token; none is needed unless it says so.
            ["security"] = new JsonArray(),
            ["paths"] = Sorted(paths),
            ["components"] = new JsonObject
            {
                ["schemas"] = Sorted(schemas),
                ["securitySchemes"] = new JsonObject { [OpenApiDocumentation.SecuritySchemeName] = SecurityScheme() },
            },
            ["tags"] = tags,
        };
    }

    /// <summary>The gateway's own answers replace the service's; its parameters and body fill in what the service's lack.</summary>
    private static void Override(JsonObject operation, JsonObject own)
    {
        foreach (var key in new[] { "operationId", "summary", "description" })
        {
            if (own[key] is { } value)
            {
                operation[key] = value.DeepClone();
            }
        }
        var responses = operation["responses"]?.AsObject() ?? [];
        // Only answers the gateway describes (with a body schema) replace the service's: a forwarding endpoint
        // returns whatever the service answered, which the service's document describes.
        var ownResponses = (own["responses"]?.AsObject() ?? []).Where(r => r.Value?["content"] is not null).ToList();
        if (ownResponses.Any(r => r.Key.StartsWith('2')))
        {
            foreach (var success in responses.Where(r => r.Key.StartsWith('2')).Select(r => r.Key).ToList())
            {
                responses.Remove(success);
            }
        }
        foreach (var (status, response) in ownResponses)
        {
            responses[status] = response!.DeepClone();
        }
        operation["responses"] = responses;

        // The gateway's parameters are what the client sends it (POST /clinics takes an optional ?shard and
        // always names one to the cell): they replace the service's of the same name.
        var parameters = operation["parameters"]?.AsArray() ?? [];
        foreach (var parameter in own["parameters"]?.AsArray() ?? [])
        {
            var name = parameter?["name"]?.GetValue<string>();
            var theirs = parameters.Select(p => p?["name"]?.GetValue<string>()).ToList().IndexOf(name);
            if (theirs >= 0)
            {
                parameters[theirs] = parameter!.DeepClone(); // in its place: clients read parameters in order
            }
            else
            {
                parameters.Add(parameter!.DeepClone());
            }
        }
        if (parameters.Count > 0)
        {
            operation["parameters"] = parameters;
        }
    }

    /// <summary>
    /// What the gateway itself may answer to any operation: 400 (a malformed request or header), 429 and 503
    /// (shed under load, or the owning service not answering); 404 where the path carries an id; 413 and 415
    /// where there is a body.
    /// </summary>
    private static void DeclareGatewayAnswers(string path, JsonObject operation)
    {
        var responses = operation["responses"] as JsonObject ?? [];
        operation["responses"] = responses;
        // A public operation says so explicitly (no requirement); one that needs a token already names it.
        operation["security"] ??= new JsonArray();
        if (operation["security"]!.AsArray().Count > 0)
        {
            Declare(responses, "401", "No valid access token: sign in (POST /connect/token) and send it as Authorization: Bearer.");
            Declare(responses, "403", "The account's role may never do this (a customer creating a clinic, say).");
        }
        else
        {
            Declare(responses, "401", "A token was sent and does not validate (expired, revoked, or not ours): one that is sent is checked, even where none is needed.");
        }
        Declare(responses, "400", "The request is malformed or invalid; the problem's detail and errors say what to change.");
        if (path.Contains('{'))
        {
            Declare(responses, "404", "Nothing exists at this path (an unknown id, one of another kind, or someone else's object).");
        }
        if (operation["requestBody"] is not null)
        {
            Declare(responses, "413", "The body is larger than the gateway accepts.");
            Declare(responses, "415", "The body's media type is not the one the operation reads.");
        }
        Declare(responses, "429", "Too many requests from this client; retry after the Retry-After header's seconds.");
        Declare(responses, "503", "The gateway is shedding load, or the owning service is not answering; retry after Retry-After.");
    }

    /// <summary>
    /// IdentityService's OAuth 2.0 flows, relative to the gateway: the code flow (browsers, and the reference page's
    /// sign-in), the password grant of the command-line client (where switched on), and client credentials.
    /// </summary>
    private static JsonObject SecurityScheme()
    {
        var scopes = new JsonObject { ["api"] = "Call the ClinicBooking API", ["offline_access"] = "Get a refresh token" };
        return new JsonObject
        {
            ["type"] = "oauth2",
            ["description"] = "Access tokens from IdentityService (/connect/token). Customers sign up at POST /account/register.",
            ["flows"] = new JsonObject
            {
                ["authorizationCode"] = new JsonObject
                {
                    ["authorizationUrl"] = "/connect/authorize",
                    ["tokenUrl"] = "/connect/token",
                    ["refreshUrl"] = "/connect/token",
                    ["scopes"] = scopes.DeepClone(),
                },
                ["password"] = new JsonObject { ["tokenUrl"] = "/connect/token", ["refreshUrl"] = "/connect/token", ["scopes"] = scopes.DeepClone() },
                ["clientCredentials"] = new JsonObject { ["tokenUrl"] = "/connect/token", ["scopes"] = new JsonObject { ["api"] = "Call the ClinicBooking API" } },
            },
        };
    }

    private static void Declare(JsonObject responses, string status, string description)
    {
        if (responses[status] is JsonObject existing)
        {
            // Declared by the service without saying what it means.
            if (existing["description"]?.GetValue<string>() is null or "")
            {
                existing["description"] = description;
            }
            return;
        }
        responses[status] = new JsonObject
        {
            ["description"] = description,
            ["content"] = new JsonObject
            {
                ["application/problem+json"] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = Problem } },
            },
        };
    }

    /// <summary>Drops the schemas no kept operation refers to (directly or through other schemas).</summary>
    private static void Prune(JsonObject schemas, JsonObject paths)
    {
        const string prefix = "#/components/schemas/";
        var used = new HashSet<string>();
        var pending = new Stack<JsonNode?>([paths]);
        while (pending.TryPop(out var node))
        {
            switch (node)
            {
                case JsonObject obj:
                    foreach (var (key, value) in obj)
                    {
                        if (key == "$ref" && value?.GetValue<string>() is { } target && target.StartsWith(prefix) &&
                            used.Add(target[prefix.Length..]))
                        {
                            pending.Push(schemas[target[prefix.Length..]]);
                        }
                        pending.Push(value);
                    }
                    break;
                case JsonArray array:
                    foreach (var item in array)
                    {
                        pending.Push(item);
                    }
                    break;
            }
        }
        foreach (var name in schemas.Select(s => s.Key).Where(name => !used.Contains(name)).ToList())
        {
            schemas.Remove(name);
        }
    }

    private static JsonObject PathItem(JsonObject paths, string path)
    {
        if (paths[path] is not JsonObject item)
        {
            item = [];
            paths[path] = item;
        }
        return item;
    }

    private static void Union(JsonObject target, JsonObject? source)
    {
        foreach (var (name, schema) in source ?? [])
        {
            target.TryAdd(name, schema?.DeepClone());
        }
    }

    private static void UnionTags(JsonArray target, JsonArray? source)
    {
        foreach (var tag in source ?? [])
        {
            var name = tag?["name"]?.GetValue<string>();
            if (name is not null && !target.Any(t => t?["name"]?.GetValue<string>() == name))
            {
                target.Add(tag!.DeepClone());
            }
        }
    }

    private static JsonObject Sorted(JsonObject source) =>
        new(source.OrderBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => KeyValuePair.Create(p.Key, p.Value?.DeepClone())));

    private static JsonObject ProblemDetailsSchema() => new()
    {
        ["type"] = "object",
        ["properties"] = new JsonObject
        {
            ["type"] = new JsonObject { ["type"] = new JsonArray("null", "string") },
            ["title"] = new JsonObject { ["type"] = new JsonArray("null", "string") },
            ["status"] = new JsonObject { ["type"] = new JsonArray("null", "integer"), ["format"] = "int32" },
            ["detail"] = new JsonObject { ["type"] = new JsonArray("null", "string") },
            ["instance"] = new JsonObject { ["type"] = new JsonArray("null", "string") },
        },
    };
}
