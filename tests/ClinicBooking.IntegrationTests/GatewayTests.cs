using System.Net;

namespace ClinicBooking.IntegrationTests;

public class GatewayTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_gateway_answers_its_own_health_endpoint()
    {
        var response = await app.Gateway.GetAsync("/health", Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync(Ct));
    }

    [Fact]
    public async Task A_path_no_service_owns_is_a_404()
    {
        var response = await app.Gateway.GetAsync("/no-such-resource", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
