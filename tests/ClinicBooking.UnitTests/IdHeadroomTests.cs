using ClinicBooking.ClinicService.Sharding;

namespace ClinicBooking.UnitTests;

public class IdHeadroomTests
{
    [Theory]
    [InlineData(1.0, 1.0, false)]
    [InlineData(0.11, 0.5, false)]
    [InlineData(0.09, 1.0, true)]   // row ids below 10 %
    [InlineData(1.0, 0.05, true)]   // clinic ids below 10 %
    [InlineData(0.0, 0.0, true)]
    public void A_shard_runs_low_when_either_id_space_is_below_the_warning_share(double rowsLeft, double clinicsLeft, bool low)
    {
        var ids = new ShardIds(0, (long)(ShardIds.RowIds * rowsLeft), (long)(ShardIds.ClinicNumbers * clinicsLeft));

        Assert.Equal(low, ids.RunningLow(0.10));
    }

    [Fact]
    public void The_budget_is_what_the_id_layout_leaves_per_shard()
    {
        Assert.Equal(1_073_741_823L, ShardIds.RowIds);
        Assert.Equal(131_071L, ShardIds.ClinicNumbers);
    }
}
