using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

public class RestartTests(ClinicBookingApp app)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Customers_survive_a_restart_of_CustomerService()
    {
        var email = Http.UniqueEmail("durable");
        var created = await app.Gateway.PostAsJsonAsync("/customers", new { name = "Durable Dana", email }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var id = (await created.ReadJsonAsync()).GetProperty("id").GetInt64();

        await app.RestartAsync(ResourceNames.CustomerService);

        var read = await app.Gateway.GetAsync($"/customers/{id}", Ct);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var customer = await read.ReadJsonAsync();
        Assert.Equal("Durable Dana", customer.GetProperty("name").GetString());
        Assert.Equal(email, customer.GetProperty("email").GetString());
    }
}
