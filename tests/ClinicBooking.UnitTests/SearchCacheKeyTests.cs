using ClinicBooking.Gateway.Apis;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace ClinicBooking.UnitTests;

/// <summary>
/// Issue 26, finding 8: the gateway keyed its search cache on the raw query string, so an extra
/// <c>&amp;x=random</c> made every request a miss and a fan-out to every cell. The key (and what the cells get)
/// is now the operation's own parameters, in one order.
/// </summary>
public sealed class SearchCacheKeyTests
{
    private static string Canonical(string query, string[] parameters) =>
        AvailabilityFanOutApi.CanonicalQuery(new QueryCollection(QueryHelpers.ParseQuery(query)), parameters).ToString();

    [Fact]
    public void Parameters_the_operation_does_not_take_are_dropped_and_the_order_does_not_matter()
    {
        var plain = Canonical("?specialization=Cardiology&from=2027-01-01&to=2027-01-07", AvailabilityFanOutApi.SearchParameters);
        Assert.Equal(plain, Canonical("?x=123&to=2027-01-07&specialization=cardiology&from=2027-01-01&y=", AvailabilityFanOutApi.SearchParameters));
        Assert.Equal(plain, Canonical("?from=2027-01-01&to=2027-01-07&specialization=%20CARDIOLOGY%20&cachebuster=9", AvailabilityFanOutApi.SearchParameters));
        Assert.DoesNotContain("x=", plain);
    }

    [Fact]
    public void What_changes_the_answer_changes_the_key()
    {
        var week = Canonical("?specialization=Cardiology&from=2027-01-01&to=2027-01-07", AvailabilityFanOutApi.SearchParameters);
        Assert.NotEqual(week, Canonical("?specialization=Cardiology&from=2027-01-01&to=2027-01-08", AvailabilityFanOutApi.SearchParameters));
        Assert.NotEqual(week, Canonical("?specialization=Dermatology&from=2027-01-01&to=2027-01-07", AvailabilityFanOutApi.SearchParameters));
        Assert.NotEqual(week, Canonical("?specialization=Cardiology&from=2027-01-01&to=2027-01-07&limit=5", AvailabilityFanOutApi.SearchParameters));
        Assert.Equal("?specialization=cardiology&from=2027-01-01",
            Canonical("?from=2027-01-01&limit=5&specialization=Cardiology", AvailabilityFanOutApi.NextParameters));
    }
}
