using ClinicBooking.Gateway.Routing;
using Microsoft.Extensions.Configuration;

namespace ClinicBooking.UnitTests;

public class ShardMapTests
{
    private static ShardMap Map(params (string Key, string Value)[] owners) =>
        new(new ConfigurationBuilder()
            .AddInMemoryCollection(owners.Select(o => new KeyValuePair<string, string?>($"{ShardMap.Section}:{o.Key}", o.Value)))
            .Build());

    [Fact]
    public void Maps_each_shard_to_its_cell_and_lists_each_cell_once()
    {
        var map = Map(("0", "cell-a"), ("1", "cell-b"), ("2", "cell-a"));

        Assert.Equal("cell-b", map.CellOf(1));
        Assert.Equal("cell-a", map.CellOf(2));
        Assert.Null(map.CellOf(3));
        Assert.Equal(["cell-a", "cell-b"], map.Cells);
    }

    [Theory]
    [InlineData("x")]
    [InlineData("64")]
    [InlineData("-1")]
    public void A_key_that_is_not_a_shard_number_is_refused(string key) =>
        Assert.Throws<InvalidOperationException>(() => Map((key, "cell")));

    [Fact]
    public void A_gateway_without_cells_is_refused() =>
        Assert.Throws<InvalidOperationException>(() => Map());
}
