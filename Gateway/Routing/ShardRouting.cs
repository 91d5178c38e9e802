using Microsoft.AspNetCore.Mvc;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace ClinicBooking.Gateway.Routing;

/// <summary>
/// Routes clinic-scoped requests to the cell that owns the clinic, from the id in the path alone: no
/// database lookup and no fan-out (see <see cref="ClinicIds"/> for how ids carry their shard).
/// </summary>
public static class ShardRouting
{
    private const string IdParameterKey = "ShardRouting.IdParameter";
    private const string IdKindKey = "ShardRouting.IdKind";
    private const string ClinicIdKind = "clinic";
    private const string ScopedIdKind = "scoped";

    /// <summary>A route whose <paramref name="idParameter"/> is a clinic id.</summary>
    public static RouteConfig ByClinicId(ShardMap map, string routeId, string path, string idParameter) =>
        Route(map, routeId, path, idParameter, ClinicIdKind);

    /// <summary>A route whose <paramref name="idParameter"/> is a clinic-scoped id (doctor, time slot, ...).</summary>
    public static RouteConfig ByScopedId(ShardMap map, string routeId, string path, string idParameter) =>
        Route(map, routeId, path, idParameter, ScopedIdKind);

    // Each route names some cell's cluster because YARP requires one; SelectOwningCell replaces it per request.
    private static RouteConfig Route(ShardMap map, string routeId, string path, string idParameter, string kind) => new()
    {
        RouteId = routeId,
        ClusterId = map.Cells[0],
        Match = new RouteMatch { Path = path },
        Metadata = new Dictionary<string, string> { [IdParameterKey] = idParameter, [IdKindKey] = kind },
    };

    /// <summary>
    /// One cluster per cell, named after it and addressed by its Aspire resource name through service
    /// discovery (which may expand it into several destinations: the cell's replicas).
    /// </summary>
    public static IEnumerable<ClusterConfig> CellClusters(ShardMap map) => map.Cells.Select(cell => new ClusterConfig
    {
        ClusterId = cell,
        Destinations = new Dictionary<string, DestinationConfig> { [cell] = new() { Address = $"http://{cell}" } },
        // A cell that accepts a request and then says nothing must not hold the client for YARP's 100 s default.
        HttpRequest = new ForwarderRequestConfig { ActivityTimeout = TimeSpan.FromSeconds(30) },
    });

    /// <summary>The clinic a clinic-scoped route's id names, if the route is one and the id has a clinic's shape.</summary>
    public static long? ClinicOf(HttpContext context)
    {
        var metadata = context.GetReverseProxyFeature().Route.Config.Metadata;
        if (metadata is null || !metadata.TryGetValue(IdKindKey, out var kind)
            || ClinicIds.Parse(context.GetRouteValue(metadata[IdParameterKey]) as string) is not { } id)
        {
            return null;
        }
        return kind == ScopedIdKind ? ClinicIds.IsScopedId(id) ? ClinicIds.ClinicOf(id) : null : ClinicIds.IsClinicId(id) ? id : null;
    }

    /// <summary>The proxy pipeline step that sends the request to the cluster of the owning cell.</summary>
    public static async Task SelectOwningCell(HttpContext context, Func<Task> next)
    {
        var proxy = context.GetReverseProxyFeature();
        var metadata = proxy.Route.Config.Metadata;
        if (metadata is null || !metadata.TryGetValue(IdKindKey, out var kind))
        {
            await next();
            return;
        }

        var map = context.RequestServices.GetRequiredService<ShardMap>();
        var raw = context.GetRouteValue(metadata[IdParameterKey]) as string;
        var shard = ClinicIds.Parse(raw) is { } id ? ClinicIds.ShardOf(id, scoped: kind == ScopedIdKind) : null;
        // An id of the wrong shape, or of a shard no cell owns, names nothing that exists.
        var cell = shard is { } s ? map.CellOf(s) : null;
        var lookup = context.RequestServices.GetRequiredService<IProxyStateLookup>();
        if (cell is null || !lookup.TryGetCluster(cell, out var cluster))
        {
            await context.WriteProblemAsync(StatusCodes.Status404NotFound, "Not found", $"Nothing exists at {context.Request.Path}.");
            return;
        }

        context.ReassignProxyRequest(cluster);
        await next();
    }

}
