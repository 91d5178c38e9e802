using ClinicBooking.ClinicService.Data;

namespace ClinicBooking.ClinicService.Sharding;

/// <summary>
/// The shard one request works in, and its database: resolved once per request from the id the request
/// names (<see cref="ShardScopeEndpoints.ForShardOf{TBuilder}"/> for an id in the route, <see cref="Enter"/> for one in
/// a body), and refused with the resource's 404 problem when this cell does not own that shard. The
/// context is created on first use and disposed with the request.
/// </summary>
public sealed class ShardScope(ShardDatabases shards) : IAsyncDisposable
{
    private int? _shard;
    private ClinicDbContext? _db;

    public int Shard => _shard ?? throw new InvalidOperationException("This request has not entered a shard.");

    public ClinicDbContext Db => _db ??= shards.CreateContext(Shard);

    /// <summary>
    /// Enters the shard of <paramref name="id"/> (a clinic id, or with <paramref name="scoped"/> a
    /// clinic-scoped one); throws <paramref name="notFound"/> when this cell does not own it.
    /// </summary>
    public void Enter(long id, bool scoped, Func<long, ProblemException> notFound) =>
        _shard = shards.OwnedShardOf(id, scoped) ?? throw notFound(id);

    /// <summary>Enters shard <paramref name="shard"/> itself; a 404 problem when this cell does not own it.</summary>
    public void EnterShard(int shard) =>
        _shard = shards.Owns(shard) ? shard : throw ProblemException.NotFound($"This cell does not own shard {shard}.");

    public async ValueTask DisposeAsync()
    {
        if (_db is not null)
        {
            await _db.DisposeAsync();
        }
    }
}

/// <summary>Endpoints whose route names the clinic, or a clinic-scoped id, they work on.</summary>
public static class ShardScopeEndpoints
{
    /// <summary>
    /// Before the handler runs, enters the shard of the id in route parameter <paramref name="parameter"/>
    /// (a clinic id, or with <paramref name="scoped"/> a clinic-scoped one); the handler takes
    /// <see cref="ShardScope"/> and finds its database there.
    /// </summary>
    public static TBuilder ForShardOf<TBuilder>(this TBuilder builder, string parameter, bool scoped, Func<long, ProblemException> notFound)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            // The route constraint ({id:long}) lets a sign through ("+5", "-5"); an id is digits only.
            var id = ClinicIds.Parse(http.GetRouteValue(parameter) as string)
                ?? throw ProblemException.NotFound($"Nothing exists at {http.Request.Path}.");
            http.RequestServices.GetRequiredService<ShardScope>().Enter(id, scoped, notFound);
            return await next(context);
        });
}
