using System.ComponentModel.DataAnnotations;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ServiceDefaults;

namespace ClinicBooking.UnitTests;

public class ReplicaStalenessTests
{
    /// <summary>
    /// Read-your-writes holds only while a write is remembered (<see cref="RecentWrites.Window"/>): a writer's read after
    /// that goes to any replica within the bound, so a bound longer than the window could show them a replica without
    /// their write. The setting may not exceed the window.
    /// </summary>
    [Fact]
    public void The_staleness_bound_may_not_exceed_how_long_a_write_is_remembered()
    {
        Assert.True(IsValid(new ReadReplicaOptions { MaxStaleness = RecentWrites.Window }));
        Assert.True(IsValid(new ReadReplicaOptions()));

        Assert.False(IsValid(new ReadReplicaOptions { MaxStaleness = RecentWrites.Window + TimeSpan.FromMilliseconds(1) }));
        Assert.False(IsValid(new ReadReplicaOptions { MaxStaleness = TimeSpan.FromMinutes(1) }));
        Assert.False(IsValid(new ReadReplicaOptions { MaxStaleness = TimeSpan.Zero }));
    }

    /// <summary>
    /// With nothing written since a record that ended at a page boundary, the primary's insert position is past the
    /// next page's header while a caught-up replica has replayed to the boundary: it must count as caught up.
    /// </summary>
    [Theory]
    [InlineData("0/3000018", "0/3000000")]   // a page's short header (24 bytes)
    [InlineData("0/3002018", "0/3002000")]
    [InlineData("0/4000028", "0/4000000")]   // a segment's first page: the long header (40 bytes)
    [InlineData("1/00000028", "1/00000000")]
    [InlineData("0/3000020", "0/3000020")]   // a record's end: as it is
    [InlineData("0/3002028", "0/3002028")]   // 40 bytes into a page that starts no segment: a record's end
    [InlineData("0/30001A8", "0/30001A8")]
    public void An_insert_position_just_past_a_page_header_is_the_page_boundary(string insert, string replayedEnd)
    {
        Assert.Equal(NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(replayedEnd),
            ReadReplicas.EndOfRecords(NpgsqlTypes.NpgsqlLogSequenceNumber.Parse(insert)));
    }

    private static bool IsValid(ReadReplicaOptions options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);
}
