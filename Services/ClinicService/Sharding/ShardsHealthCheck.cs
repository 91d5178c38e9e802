using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.ClinicService.Sharding;

/// <summary>Ready only while every owned shard database answers.</summary>
public sealed class ShardsHealthCheck(ShardDatabases shards) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        foreach (var shard in shards.Shards)
        {
            try
            {
                await using var command = shards.DataSource(shard).CreateCommand("SELECT shard FROM shard_identity");
                if (await command.ExecuteScalarAsync(cancellationToken) is not int stamped || stamped != shard)
                {
                    return HealthCheckResult.Unhealthy($"Shard {shard} is not migrated yet.");
                }
            }
            catch (Exception ex) when (ex is Npgsql.NpgsqlException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy($"Shard {shard} does not answer.", ex);
            }
        }
        return HealthCheckResult.Healthy();
    }
}
