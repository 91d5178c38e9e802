using System.Net;
using System.Net.Http.Json;

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

    [Fact]
    public async Task The_clinic_openapi_document_describes_the_clinic_endpoints()
    {
        var document = await app.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/clinics.json", Ct);

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[] { "/clinics/{id}", "/clinics/{clinicId}/doctors", "/doctors/{id}", "/timeslots/{id}",
                     "/doctors/{doctorId}/slots", "/bookingSlots/{id}", "/clinics/{clinicId}/availability", "/availability/search" })
        {
            Assert.Contains(path, paths);
        }
    }
}
