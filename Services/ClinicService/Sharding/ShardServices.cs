using ClinicBooking.ClinicService.Data;

namespace ClinicBooking.ClinicService.Sharding;

/// <summary>What a handler that works in one shard takes: the request's shard (and database), and the clock.</summary>
public sealed record ShardServices(ShardScope Shard, TimeProvider Clock)
{
    public ClinicDbContext Db => Shard.Db;
}
