using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using ClinicBooking.Gateway.Apis;
using ClinicBooking.Gateway.Routing;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace ClinicBooking.Gateway.OpenApi;

/// <summary>
/// One OpenAPI document for everything the gateway serves, built from the services' own documents: the
/// operations CustomerService, IdentityService, NotificationService, ConsultationService, PaymentService and a cell describe that the gateway routes to them, and the gateway's own
/// (the requests that span clinics). What the gateway does not serve (a cell's <c>/shards</c>, the services'
/// <c>/operations/*</c>) is left out. Every operation also declares what the gateway itself may answer.
/// </summary>
public sealed class GatewayOpenApi(
    IHttpClientFactory httpClients, ShardMap shards, IProxyConfigProvider proxyConfig,
    [FromKeyedServices(GatewayOpenApi.OwnDocument)] IOpenApiDocumentProvider own, ILogger<GatewayOpenApi> logger)
{
    public const string OwnDocument = "gateway";
    public const string Path = "/openapi/v1.json";

    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _document;

    /// <summary>The merged document; built once, when the services first answer.</summary>
    public async Task<string?> GetAsync(CancellationToken ct)
    {
        if (_document is not null)
        {
            return _document;
        }
        await _gate.WaitAsync(ct);
        try
        {
            return _document ??= await BuildAsync(ct);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            logger.LogWarning(ex, "A service did not give its OpenAPI document; the gateway's is built on the next request");
            return null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<string> BuildAsync(CancellationToken ct)
    {
        var client = httpClients.CreateClient(CellFanOut.HttpClientName);
        async Task<OpenApiDocument> ReadAsync(string service) =>
            OpenApiDocument.Parse(await client.GetStringAsync($"http://{service}/openapi/v1.json", ct), OpenApiConstants.Json).Document
            ?? throw new InvalidOperationException($"{service} served an OpenAPI document that does not parse.");
        var customers = await ReadAsync(ResourceNames.CustomerService);
        var identity = await ReadAsync(ResourceNames.IdentityService);
        var notifications = await ReadAsync(ResourceNames.NotificationService);
        var consultations = await ReadAsync(ResourceNames.ConsultationService);
        var payments = await ReadAsync(ResourceNames.PaymentService);
        // Every cell serves the same API; any one of them can describe it (the first that answers).
        OpenApiDocument? cell = null;
        foreach (var name in shards.Cells)
        {
            try
            {
                cell = await ReadAsync(name);
                break;
            }
            catch (Exception ex) when ((ex is HttpRequestException or TaskCanceledException) && !ct.IsCancellationRequested && name != shards.Cells[^1])
            {
                logger.LogInformation("Cell {Cell} did not describe its API; asking the next", name);
            }
        }
        var gateway = await own.GetOpenApiDocumentAsync(ct);

        var routed = proxyConfig.GetConfig().Routes.Select(r => RoutePattern(r.Match.Path!)).ToList();
        var merged = OpenApiMerge.Merge(gateway, [customers, identity, notifications, consultations, payments, cell!], path => routed.Any(r => r.IsMatch(path)));
        await using var text = new StringWriter();
        merged.SerializeAsV31(new OpenApiJsonWriter(text, new OpenApiJsonWriterSettings { Terse = true }));
        return text.ToString();
    }

    /// <summary>A YARP route path ("/clinics/{clinicId}/{**rest}") as a pattern over documented paths.</summary>
    private static Regex RoutePattern(string path)
    {
        var pattern = Regex.Escape(path)
            .Replace("/\\{\\*\\*rest}", "(/.*)?")
            .Replace("\\{", "{");
        pattern = Regex.Replace(pattern, "{[^/}]+}", "{[^/}]+}");
        return new Regex($"^{pattern}$", RegexOptions.CultureInvariant);
    }
}

public static class GatewayOpenApiExtensions
{
    public static IHostApplicationBuilder AddGatewayOpenApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddDocumentedOpenApi(GatewayOpenApi.OwnDocument);
        // As in every service (ApiDefaults): numbers are JSON numbers, typed as integers in the document.
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict);
        builder.Services.AddSingleton<GatewayOpenApi>();
        return builder;
    }

    /// <summary>The merged document at <see cref="GatewayOpenApi.Path"/>, and its interactive reference at <c>/scalar</c>.</summary>
    public static WebApplication MapGatewayOpenApi(this WebApplication app)
    {
        app.MapGet(GatewayOpenApi.Path, async (GatewayOpenApi openApi, CancellationToken ct) =>
                await openApi.GetAsync(ct) is { } document
                    ? Results.Text(document, "application/json")
                    : Problems.ServiceUnavailable("A service did not describe its API yet; retry in a moment."))
            .ExcludeFromDescription();
        app.MapScalarApiReference("/scalar", options => options
            .WithTitle("ClinicBooking API")
            .WithOpenApiRoutePattern(GatewayOpenApi.Path)
            // Sign in from the page: with an account's email and password (the CLI client's password grant,
            // where switched on), or in the browser through IdentityService's login page (code flow + PKCE).
            .AddPreferredSecuritySchemes(OpenApiDocumentation.SecuritySchemeName)
            .AddPasswordFlow(OpenApiDocumentation.SecuritySchemeName, flow =>
            {
                flow.ClientId = "clinicbooking-cli";
                flow.SelectedScopes = ["api"];
            })
            .AddAuthorizationCodeFlow(OpenApiDocumentation.SecuritySchemeName, flow =>
            {
                flow.ClientId = "clinicbooking-web";
                flow.Pkce = Pkce.Sha256;
                flow.SelectedScopes = ["api"];
            }));
        return app;
    }
}
