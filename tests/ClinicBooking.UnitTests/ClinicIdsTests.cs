namespace ClinicBooking.UnitTests;

public class ClinicIdsTests
{
    [Theory]
    [InlineData(64, 0)]
    [InlineData(65, 1)]
    [InlineData(128 + 63, 63)]
    [InlineData(ClinicIds.MaxClinicId, 63)]
    public void A_clinic_id_names_its_shard_in_its_low_bits(long clinicId, int shard)
    {
        Assert.True(ClinicIds.IsClinicId(clinicId));
        Assert.Equal(shard, ClinicIds.ShardOf(clinicId, scoped: false));
    }

    [Fact]
    public void A_scoped_id_carries_its_clinic_and_so_its_shard()
    {
        const long clinic = (1234L << ClinicIds.ShardBits) | 5;
        const long doctor = (clinic << ClinicIds.RowBits) | 987_654;

        Assert.True(ClinicIds.IsScopedId(doctor));
        Assert.Equal(clinic, ClinicIds.ClinicOf(doctor));
        Assert.Equal(5, ClinicIds.ShardOf(doctor, scoped: true));
    }

    [Fact]
    public void Every_id_is_a_json_safe_integer()
    {
        const long largest = (ClinicIds.MaxClinicId << ClinicIds.RowBits) | ((1L << ClinicIds.RowBits) - 1);

        Assert.Equal(ClinicIds.MaxScopedId, largest);
        Assert.True(largest < 1L << 53);
        Assert.True(ClinicIds.IsScopedId(largest));
        Assert.False(ClinicIds.IsScopedId(largest + 1));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(63)]                         // below the first sequence number
    [InlineData(-65)]
    [InlineData(ClinicIds.MaxClinicId + 1)]
    public void Numbers_outside_the_clinic_id_range_have_no_shard(long id) =>
        Assert.Null(ClinicIds.ShardOf(id, scoped: false));

    [Theory]
    [InlineData(64)]                         // a clinic id is not a scoped id
    [InlineData(64L << ClinicIds.RowBits)]   // row number 0 is never handed out
    [InlineData(-1)]
    [InlineData(1L << 53)]
    public void Numbers_that_are_not_scoped_ids_have_no_shard(long id) =>
        Assert.Null(ClinicIds.ShardOf(id, scoped: true));
}
