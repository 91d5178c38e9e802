using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using ClinicBooking.Contracts.Customers;
using ClinicBooking.IdentityService.Connect;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>CustomerService as IdentityService sees it: where a sign-up's customer record is created.</summary>
public sealed class CustomerDirectory(HttpClient http, ServiceTokens tokens)
{
    public const string BaseAddress = $"http://{ResourceNames.CustomerService}";

    /// <summary>
    /// Creates the sign-up's customer (keyed by the email, <see cref="SignUps"/>) and answers its id;
    /// CustomerService's own refusal (a 4xx problem) is passed on.
    /// </summary>
    public async Task<long> CreateAsync(string name, string email, string? phone, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/customers")
        {
            Content = JsonContent.Create(new { name, email, phone }),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Current());
        request.Headers.Add(IdempotencyKey.Header, SignUps.KeyOf(email));
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (HttpRequestException)
        {
            throw Unavailable("did not answer");
        }
        using var _ = response;
        // 200: the customer a cut-off sign-up of this email left behind, now this sign-up's.
        if (response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK)
        {
            var customer = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            return customer.GetProperty("id").GetInt64();
        }
        if ((int)response.StatusCode is >= 400 and < 500 && response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden))
        {
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            var detail = problem.TryGetProperty("detail", out var d) ? d.GetString() : null;
            throw new ProblemException((int)response.StatusCode, problem.TryGetProperty("title", out var t) ? t.GetString() ?? "Refused" : "Refused",
                detail ?? "CustomerService refused the customer.",
                problem.TryGetProperty("errors", out var errors) ? new Dictionary<string, object?> { ["errors"] = errors } : null);
        }
        throw Unavailable($"answered {(int)response.StatusCode}");
    }

    /// <summary>
    /// Whether the customer record is active: asked at every sign-in and refresh of a customer's account, so a
    /// deactivated customer gets no new tokens. Null when CustomerService cannot say (then no token is issued).
    /// </summary>
    public async Task<bool?> IsActiveAsync(long customerId, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/customers/{customerId}/standing");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", tokens.Current());
        try
        {
            using var response = await http.SendAsync(request, ct);
            if (response.StatusCode == HttpStatusCode.NotFound)
            {
                return false;
            }
            return response.IsSuccessStatusCode
                ? (await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("isActive").GetBoolean()
                : null;
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private static ProblemException Unavailable(string what) => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
        $"CustomerService could not create the customer (it {what}); nothing was signed up: try again shortly.");
}
