using System.Diagnostics.Metrics;
using ClinicBooking.ServiceDefaults;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.ClinicService.Sharding;

/// <summary>A replica as operators see it: whether it serves, how stale it is, how many reads it took.</summary>
public sealed record ReplicaView(int Shard, string Name, bool Up, bool Serving, double? StalenessSeconds, string? ReplayLsn, long Reads, string? LastError, DateTimeOffset CheckedAt);

public static class ReplicaRouting
{
    /// <summary>
    /// The cell's read replicas, if it is given any (<c>ConnectionStrings:shard-N-replica-M</c>): a data source for
    /// each (telemetry; no health check of Aspire's: a replica that is down must not take the cell out of service),
    /// the routing, the monitor, their metrics and a health entry that says which serve. Read-your-writes' record
    /// (<see cref="RecentWrites"/>) comes with them; the pipeline notes writes with <c>UseRecentWrites</c>.
    /// </summary>
    public static IHostApplicationBuilder AddReadReplicas(this IHostApplicationBuilder builder, IEnumerable<int> shards)
    {
        builder.Services.AddOptions<ReadReplicaOptions>().BindConfiguration(ReadReplicaOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        foreach (var name in shards.SelectMany(shard => ReadReplicas.ReplicaNames(builder.Configuration, shard)))
        {
            builder.AddKeyedNpgsqlDataSource(name, settings =>
            {
                settings.DisableHealthChecks = true;
                settings.ConnectionString = ConnectionSettings.ForServices(settings.ConnectionString!);
            }, dataSource => dataSource.ConfigureTracing(tracing => tracing.EnableFirstResponseEvent(false)));
        }
        builder.AddRecentWrites();
        builder.Services.AddSingleton<ReadReplicas>();
        builder.Services.AddHostedService<ReplicaMonitor>();
        builder.Services.AddHealthChecks().AddCheck<ReplicasHealthCheck>("replicas");
        builder.Services.AddSingleton<ReplicaMetrics>();
        return builder;
    }

    /// <summary>Operators: each replica of the cell's shards, its staleness and whether it serves reads now.</summary>
    public static IEndpointRouteBuilder MapReplicaOperations(this IEndpointRouteBuilder app)
    {
        app.MapGet("/operations/replicas", Ok<List<ReplicaView>> (ReadReplicas replicas, ShardDatabases shards, TimeProvider clock) =>
                TypedResults.Ok(Views(replicas, shards, clock)))
            .WithTags("Operations").ExcludeFromDescription().AdministratorsAndServices();
        return app;
    }

    public static List<ReplicaView> Views(ReadReplicas replicas, ShardDatabases shards, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        return [.. shards.Shards.Order().SelectMany(shard => replicas.Of(shard).Select(r =>
        {
            var staleness = r.FreshAsOf == DateTimeOffset.MinValue ? (double?)null : (now - r.FreshAsOf).TotalSeconds;
            var serving = r.Up && staleness is { } s && s <= replicas.Options.MaxStaleness.TotalSeconds;
            return new ReplicaView(shard, r.Name, r.Up, serving, staleness, r.ReplayLsn?.ToString(), r.Reads, r.LastError, r.CheckedAt);
        }))];
    }
}

/// <summary>
/// Healthy while every replica serves; degraded (never unhealthy: reads go to the primary) when one is down or
/// too stale, naming it.
/// </summary>
public sealed class ReplicasHealthCheck(ReadReplicas replicas, ShardDatabases shards, TimeProvider clock) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var views = ReplicaRouting.Views(replicas, shards, clock);
        var data = views.ToDictionary(v => v.Name, v => (object)(v.Serving ? $"serving, {v.StalenessSeconds:0.00} s behind" : $"skipped: {v.LastError ?? "too stale"}"));
        var skipped = views.Where(v => !v.Serving).Select(v => v.Name).ToList();
        return Task.FromResult(skipped.Count == 0
            ? HealthCheckResult.Healthy(views.Count == 0 ? "No read replicas: every read goes to the primary." : "Every replica serves reads.", data)
            : HealthCheckResult.Degraded($"Skipped (reads go to the primary or another replica): {string.Join(", ", skipped)}.", data: data));
    }
}

/// <summary>The replicas' staleness and reads, per replica, as metrics (<c>clinicbooking.replica.*</c>).</summary>
public sealed class ReplicaMetrics
{
    public ReplicaMetrics(IMeterFactory meters, ReadReplicas replicas, ShardDatabases shards, TimeProvider clock)
    {
        var meter = meters.Create("ClinicBooking.Replicas");
        meter.CreateObservableGauge("clinicbooking.replica.staleness", () =>
            ReplicaRouting.Views(replicas, shards, clock).Where(v => v.StalenessSeconds is not null)
                .Select(v => new Measurement<double>(v.StalenessSeconds!.Value, new KeyValuePair<string, object?>("replica", v.Name))),
            unit: "s", description: "How far behind the primary each replica's data is.");
        meter.CreateObservableGauge("clinicbooking.replica.serving", () =>
            ReplicaRouting.Views(replicas, shards, clock).Select(v => new Measurement<int>(v.Serving ? 1 : 0, new KeyValuePair<string, object?>("replica", v.Name))),
            description: "1 while the replica serves reads, 0 while it is skipped.");
        meter.CreateObservableCounter("clinicbooking.replica.reads", () =>
            ReplicaRouting.Views(replicas, shards, clock).Select(v => new Measurement<long>(v.Reads, new KeyValuePair<string, object?>("replica", v.Name))),
            description: "Reads each replica served.");
    }
}
