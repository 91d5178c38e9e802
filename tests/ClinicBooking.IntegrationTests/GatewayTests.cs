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

    /// <summary>
    /// Without a token, an operation that is not public answers 401 whatever its path's id: malformed, of a
    /// shard no cell owns, or unknown. Who may call is decided before where the request would go.
    /// </summary>
    [Theory]
    [InlineData("DELETE", "/bookings/not-an-id")]
    [InlineData("PATCH", "/doctors/-5")]
    [InlineData("POST", "/clinics/63/doctors")]                // shard 63: no cell owns it
    [InlineData("GET", "/bookingSlots/68719476799/booking")]
    public async Task Without_a_token_a_protected_operation_is_a_401_whatever_its_id(string method, string path)
    {
        using var response = await app.Anonymous.SendAsync(new HttpRequestMessage(new HttpMethod(method), path)
        {
            Content = method == "GET" || method == "DELETE" ? null : JsonContent.Create(new { name = "x" }),
        }, Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task A_path_no_service_owns_is_a_404()
    {
        var response = await app.Gateway.GetAsync("/no-such-resource", Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task The_gateways_openapi_document_describes_the_clinic_endpoints()
    {
        var document = await app.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json", Ct);

        var paths = document.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToHashSet();
        foreach (var path in new[] { "/clinics/{id}", "/clinics/{clinicId}/doctors", "/doctors/{id}", "/timeslots/{id}",
                     "/doctors/{doctorId}/slots", "/bookingSlots/{id}", "/clinics/{clinicId}/availability", "/availability/search" })
        {
            Assert.Contains(path, paths);
        }
    }

    [Theory]
    [InlineData("/openapi/v1.json", "/clinics/{clinicId}/availability", "clinicId from to specialization doctorId mode after limit")]
    [InlineData("/openapi/v1.json", "/availability/search", "date from to specialization clinicId mode after limit")]
    [InlineData("/openapi/v1.json", "/clinics/{clinicId}/doctors", "clinicId specialization includeInactive pageIndex pageSize")]
    [InlineData("/openapi/v1.json", "/bookingSlots/{slotId}/booking", "slotId Idempotency-Key", "put")]
    [InlineData("/openapi/v1.json", "/customers/{id}/bookings", "id status pageIndex pageSize")]
    public async Task The_openapi_documents_name_parameters_as_clients_send_them(string document, string path, string names, string verb = "get")
    {
        var openApi = await app.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>(document, Ct);

        var parameters = openApi.GetProperty("paths").GetProperty(path).GetProperty(verb).GetProperty("parameters")
            .EnumerateArray().Select(p => p.GetProperty("name").GetString());
        Assert.Equal(names.Split(' '), parameters);
    }

    [Fact]
    public async Task The_gateways_openapi_document_leaves_out_what_clients_do_not_send()
    {
        var document = await app.Gateway.GetFromJsonAsync<System.Text.Json.JsonElement>("/openapi/v1.json", Ct);

        var schemas = document.GetProperty("components").GetProperty("schemas");
        Assert.False(schemas.TryGetProperty("DateRangeQuery", out _));
        Assert.Equal(["clinicId", "doctorId", "from", "to"],
            schemas.GetProperty("CreateBookingSlotsRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
        Assert.Equal(["endTime", "mode", "name", "price", "startTime"],
            schemas.GetProperty("TimeSlotRequest").GetProperty("properties").EnumerateObject().Select(p => p.Name).Order());
    }
}
