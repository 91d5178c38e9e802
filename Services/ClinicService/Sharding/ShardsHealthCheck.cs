using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.ClinicService.Sharding;

/// <summary>
/// Ready only while every owned shard database answers and is migrated; degraded (still serving) when a
/// shard runs low on ids (<see cref="IdHeadroom"/>), so an operator moves clinics or adds shards in time.
/// </summary>
public sealed class ShardsHealthCheck(ShardDatabases shards, IdHeadroom headroom) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var low = new List<string>();
        foreach (var shard in shards.Shards)
        {
            try
            {
                if (await headroom.ReadAsync(shard, cancellationToken) is not { } ids || ids.Shard != shard)
                {
                    return HealthCheckResult.Unhealthy($"Shard {shard} is not migrated yet.");
                }
                if (ids.RunningLow(headroom.WarnBelowFraction))
                {
                    low.Add($"shard {shard} has {ids.RowIdsLeft:N0} of {ShardIds.RowIds:N0} row ids and {ids.ClinicIdsLeft:N0} of {ShardIds.ClinicNumbers:N0} clinic ids left");
                }
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy($"Shard {shard} does not answer.", ex);
            }
        }
        return low.Count > 0 ? HealthCheckResult.Degraded($"Ids are running low: {string.Join("; ", low)}.") : HealthCheckResult.Healthy();
    }
}
