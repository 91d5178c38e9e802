using System.Text.Json.Nodes;
using ClinicBooking.Gateway.OpenApi;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.Gateway.Access;

/// <summary>
/// Which operations anyone may call, as the services declare them. An endpoint that allows anonymous callers
/// says so in its service's OpenAPI document (no security requirement) and the gateway reads it from there, so
/// the gateway keeps no list of its own to drift from the services'. Every other documented operation, and
/// anything undocumented, needs a signed-in caller.
/// </summary>
public sealed class PublicOperations
{
    private sealed record Operation(string Method, string[] Segments, string Precedence, bool IsPublic);

    private readonly Operation[] _operations;

    private PublicOperations(Operation[] operations) => _operations = operations;

    public static PublicOperations FromDocument(JsonNode document) =>
        new([.. (document["paths"]?.AsObject() ?? []).SelectMany(path => (path.Value?.AsObject() ?? [])
            .Where(method => method.Value is JsonObject operation && operation["responses"] is not null)
            .Select(method =>
            {
                var segments = Segments(path.Key);
                return new Operation(method.Key.ToUpperInvariant(), segments, Precedence(segments),
                    method.Value!["security"] is not JsonArray { Count: > 0 });
            }))]);

    /// <summary>
    /// Whether the operation a request reaches is public. Where two templates match (<c>/doctors/slots/{id}</c> and
    /// <c>/doctors/{doctorId}/slots</c> both match <c>/doctors/slots/slots</c>), the one the service's routing
    /// picks decides: segment by segment, a literal outranks a parameter.
    /// </summary>
    public bool IsPublic(string method, PathString path)
    {
        var segments = Segments(path.Value ?? "/");
        return _operations
            .Where(o => o.Method.Equals(method, StringComparison.OrdinalIgnoreCase) && Matches(o.Segments, segments))
            .MaxBy(o => o.Precedence, StringComparer.Ordinal)?.IsPublic ?? false;
    }

    private static bool Matches(string[] template, string[] segments) =>
        template.Length == segments.Length && template.Zip(segments).All(p =>
            p.First.StartsWith('{') ? p.Second.Length > 0 : p.First.Equals(p.Second, StringComparison.OrdinalIgnoreCase));

    /// <summary>"1" for each literal segment, "0" for each parameter: ordered as routing ranks templates of one length.</summary>
    private static string Precedence(string[] segments) => string.Concat(segments.Select(s => s.StartsWith('{') ? '0' : '1'));

    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>The services' declarations, read once from the gateway's merged OpenAPI document.</summary>
public sealed class DeclaredAccess(GatewayOpenApi openApi) : IHealthCheck
{
    private PublicOperations? _operations;

    /// <summary>The public operations; null while the services have not described their APIs yet.</summary>
    public async ValueTask<PublicOperations?> GetAsync(CancellationToken ct) =>
        _operations ??= await openApi.GetAsync(ct) is { } document ? PublicOperations.FromDocument(JsonNode.Parse(document)!) : null;

    /// <summary>Ready once the gateway knows what is public: until then it can only refuse anonymous callers.</summary>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default) =>
        await GetAsync(ct) is not null
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The services have not described their APIs yet, so which operations are public is not known.");
}
