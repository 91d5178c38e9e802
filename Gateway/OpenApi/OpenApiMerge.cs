using Microsoft.OpenApi;

namespace ClinicBooking.Gateway.OpenApi;

/// <summary>
/// Merges the services' OpenAPI documents with the gateway's own into the one document clients read, with
/// Microsoft.OpenApi's object model. An operation the gateway answers itself (a fan-out) starts from the
/// service's description of the same operation (its parameters, body and errors) and takes the gateway's
/// answers in place of the service's.
/// </summary>
public static class OpenApiMerge
{
    private const string ProblemDetails = "ProblemDetails";

    /// <param name="gateway">The gateway's own document: the operations it answers itself.</param>
    /// <param name="services">The services' documents.</param>
    /// <param name="routed">Whether the gateway forwards a documented path to the services at all.</param>
    public static OpenApiDocument Merge(OpenApiDocument gateway, IReadOnlyList<OpenApiDocument> services, Func<string, bool> routed)
    {
        var merged = new OpenApiDocument
        {
            Info = new OpenApiInfo
            {
                Title = "ClinicBooking API",
                Version = "v1",
                Description = "Every operation the ClinicBooking gateway serves. Errors are RFC 9457 problem details " +
                              "(application/problem+json) with a detail that says what to change.",
                License = new OpenApiLicense { Name = "Proprietary", Identifier = "LicenseRef-Proprietary" },
            },
            Servers = [new OpenApiServer { Url = "/", Description = "The gateway that serves this document" }],
            Paths = [],
            Components = new OpenApiComponents
            {
                Schemas = new Dictionary<string, IOpenApiSchema>(),
                SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme> { [OpenApiDocumentation.SecuritySchemeName] = SecurityScheme() },
            },
            Tags = new HashSet<OpenApiTag>(),
        };

        foreach (var source in services.Append(gateway))
        {
            foreach (var (path, item) in source.Paths)
            {
                foreach (var (method, operation) in item.Operations ?? [])
                {
                    var own = source == gateway ? null : gateway.Paths.GetValueOrDefault(path)?.Operations?.GetValueOrDefault(method);
                    if (source == gateway ? Operations(merged, path).ContainsKey(method) : own is null && !routed(path))
                    {
                        continue; // the gateway's own operation already merged into the service's, or not served here
                    }
                    if (own is not null)
                    {
                        Override(operation, own);
                    }
                    Operations(merged, path)[method] = operation;
                }
            }
            foreach (var (name, schema) in source.Components?.Schemas ?? new Dictionary<string, IOpenApiSchema>())
            {
                merged.Components.Schemas.TryAdd(name, schema);
            }
            foreach (var tag in source.Tags ?? new HashSet<OpenApiTag>())
            {
                if (merged.Tags.All(t => t.Name != tag.Name))
                {
                    merged.Tags.Add(tag);
                }
            }
        }

        foreach (var (path, item) in merged.Paths)
        {
            foreach (var operation in item.Operations!.Values)
            {
                DeclareGatewayAnswers(merged, path, operation);
            }
        }
        merged.Paths = Sorted(merged.Paths, new OpenApiPaths());
        merged.Components.Schemas = Sorted(UsedSchemas(merged), new Dictionary<string, IOpenApiSchema>());
        return merged;
    }

    /// <summary>The gateway's own answers replace the service's; its parameters and body fill in what the service's lack.</summary>
    private static void Override(OpenApiOperation operation, OpenApiOperation own)
    {
        operation.OperationId = own.OperationId ?? operation.OperationId;
        operation.Summary = own.Summary ?? operation.Summary;
        operation.Description = own.Description ?? operation.Description;

        // Only answers the gateway describes (with a body) replace the service's: a forwarding endpoint returns
        // whatever the service answered, which the service's document describes.
        operation.Responses ??= [];
        var ownResponses = (own.Responses ?? []).Where(r => r.Value.Content is { Count: > 0 }).ToList();
        if (ownResponses.Any(r => r.Key.StartsWith('2')))
        {
            foreach (var success in operation.Responses.Keys.Where(k => k.StartsWith('2')).ToList())
            {
                operation.Responses.Remove(success);
            }
        }
        foreach (var (status, response) in ownResponses)
        {
            operation.Responses[status] = response;
        }

        // The gateway's parameters are what the client sends it (POST /clinics takes an optional ?shard and
        // always names one to the cell): each replaces the service's of the same name, in its place, since
        // clients read parameters in order.
        operation.Parameters ??= [];
        foreach (var parameter in own.Parameters ?? [])
        {
            var theirs = operation.Parameters.Select(p => p.Name).ToList().IndexOf(parameter.Name);
            if (theirs >= 0)
            {
                operation.Parameters[theirs] = parameter;
            }
            else
            {
                operation.Parameters.Add(parameter);
            }
        }
    }

    /// <summary>
    /// What the gateway itself may answer to any operation: 400 (a malformed request or header), 429 and 503
    /// (shed under load, or the owning service not answering); 404 where the path carries an id; 413 and 415
    /// where there is a body.
    /// </summary>
    private static void DeclareGatewayAnswers(OpenApiDocument document, string path, OpenApiOperation operation)
    {
        operation.Responses ??= [];
        void Declare(string status, string description)
        {
            if (!operation.Responses.TryGetValue(status, out var existing))
            {
                operation.Responses[status] = new OpenApiResponse
                {
                    Description = description,
                    Content = new Dictionary<string, OpenApiMediaType>
                    {
                        ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference(ProblemDetails, document) },
                    },
                };
            }
            else if (string.IsNullOrEmpty(existing.Description))
            {
                existing.Description = description; // declared by the service without saying what it means
            }
        }

        // The document sets no default: a public operation says so explicitly (no requirement); one that needs
        // a token already names it.
        operation.Security ??= [];
        if (operation.Security.Count > 0)
        {
            Declare("401", "No valid access token: sign in (POST /connect/token) and send it as Authorization: Bearer.");
            Declare("403", "The account's role may never do this (a customer creating a clinic, say).");
        }
        else
        {
            Declare("401", "A token was sent and does not validate (expired, revoked, or not ours): one that is sent is checked, even where none is needed.");
        }
        Declare("400", "The request is malformed or invalid; the problem's detail and errors say what to change.");
        if (path.Contains('{'))
        {
            Declare("404", "Nothing exists at this path (an unknown id, one of another kind, or someone else's object).");
        }
        if (operation.RequestBody is not null)
        {
            Declare("413", "The body is larger than the gateway accepts.");
            Declare("415", "The body's media type is not the one the operation reads.");
        }
        Declare("429", "Too many requests from this client; retry after the Retry-After header's seconds.");
        Declare("503", "The gateway is shedding load, or the owning service is not answering; retry after Retry-After.");
    }

    /// <summary>
    /// IdentityService's OAuth 2.0 flows, relative to the gateway: the code flow (browsers, and the reference page's
    /// sign-in), the password grant of the command-line client (where switched on), and client credentials.
    /// </summary>
    private static OpenApiSecurityScheme SecurityScheme()
    {
        var token = new Uri("/connect/token", UriKind.Relative);
        Dictionary<string, string> Scopes() => new() { ["api"] = "Call the ClinicBooking API", ["offline_access"] = "Get a refresh token" };
        return new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.OAuth2,
            Description = "Access tokens from IdentityService (/connect/token). Customers sign up at POST /account/register.",
            Flows = new OpenApiOAuthFlows
            {
                AuthorizationCode = new OpenApiOAuthFlow
                {
                    AuthorizationUrl = new Uri("/connect/authorize", UriKind.Relative), TokenUrl = token, RefreshUrl = token, Scopes = Scopes(),
                },
                Password = new OpenApiOAuthFlow { TokenUrl = token, RefreshUrl = token, Scopes = Scopes() },
                ClientCredentials = new OpenApiOAuthFlow { TokenUrl = token, Scopes = new Dictionary<string, string> { ["api"] = "Call the ClinicBooking API" } },
            },
        };
    }

    /// <summary>The schemas the operations refer to, directly or through other schemas; the rest are left out.</summary>
    private static Dictionary<string, IOpenApiSchema> UsedSchemas(OpenApiDocument document)
    {
        var all = document.Components!.Schemas!;
        var used = new Dictionary<string, IOpenApiSchema>();
        var references = new SchemaReferences();
        new OpenApiWalker(references).Walk(new OpenApiDocument { Paths = document.Paths });
        while (references.Found.Except(used.Keys).FirstOrDefault(all.ContainsKey) is { } name)
        {
            used[name] = all[name];
            new OpenApiWalker(references).Walk(new OpenApiDocument
            {
                Components = new OpenApiComponents { Schemas = new Dictionary<string, IOpenApiSchema> { [name] = all[name] } },
            });
        }
        return used;
    }

    private sealed class SchemaReferences : OpenApiVisitorBase
    {
        public HashSet<string> Found { get; } = [];

        public override void Visit(IOpenApiReferenceHolder referenceHolder)
        {
            if (referenceHolder is OpenApiSchemaReference { Reference.Id: { } id })
            {
                Found.Add(id);
            }
        }
    }

    private static Dictionary<HttpMethod, OpenApiOperation> Operations(OpenApiDocument document, string path)
    {
        if (!document.Paths.TryGetValue(path, out var item))
        {
            document.Paths[path] = item = new OpenApiPathItem { Operations = [] };
        }
        return item.Operations!;
    }

    private static T Sorted<T, TValue>(IDictionary<string, TValue> source, T target) where T : IDictionary<string, TValue>
    {
        foreach (var (key, value) in source.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            target[key] = value;
        }
        return target;
    }
}
