namespace ClinicBooking.UnitTests;

public class PagingTests
{
    private static IEnumerable<string> Errors(int pageIndex, int pageSize) =>
        new PageRequestValidator().Validate(new PageRequest(pageIndex, pageSize)).ToDictionary().Keys;

    [Theory]
    [InlineData(0, 1)]
    [InlineData(3, 20)]
    [InlineData(0, 100)]
    public void Accepts_pages_within_limits(int pageIndex, int pageSize) =>
        Assert.Empty(Errors(pageIndex, pageSize));

    [Theory]
    [InlineData(-1, 20, "pageIndex")]
    [InlineData(0, 0, "pageSize")]
    [InlineData(0, 101, "pageSize")]
    public void Refuses_pages_out_of_limits(int pageIndex, int pageSize, string field) =>
        Assert.Equal([field], Errors(pageIndex, pageSize));
}
