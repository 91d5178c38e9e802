using System.Net;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>The clinics, as IdentityService checks them: a staff account is only created for a clinic that exists.</summary>
public sealed class ClinicDirectory(HttpClient http)
{
    /// <summary>The gateway, which routes a clinic's public details to its cell.</summary>
    public const string BaseAddress = $"http://{ResourceNames.Gateway}";

    public async Task EnsureExistsAsync(long clinicId, CancellationToken ct)
    {
        HttpResponseMessage response;
        try
        {
            response = await http.GetAsync($"/clinics/{clinicId}", ct);
        }
        catch (HttpRequestException)
        {
            throw Unavailable();
        }
        using var _ = response;
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw ProblemException.NotFound($"Clinic {clinicId} does not exist.");
        }
        if (!response.IsSuccessStatusCode)
        {
            throw Unavailable();
        }
    }

    private static ProblemException Unavailable() => new(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
        "The clinic could not be checked right now; nothing was changed: try again shortly.");
}
