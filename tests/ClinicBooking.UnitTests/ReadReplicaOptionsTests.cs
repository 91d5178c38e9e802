using System.ComponentModel.DataAnnotations;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ServiceDefaults;

namespace ClinicBooking.UnitTests;

public class ReadReplicaOptionsTests
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

    private static bool IsValid(ReadReplicaOptions options) =>
        Validator.TryValidateObject(options, new ValidationContext(options), [], validateAllProperties: true);
}
