using System.Net.Http.Headers;
using Microsoft.AspNetCore.Authentication;

namespace ClinicBooking.WebApp.Authentication;

/// <summary>
/// Sends the signed-in user's access token (kept in their sign-in cookie) with every API call, so the API
/// decides what this user may do exactly as for any other client. Anonymous visitors call without one.
/// </summary>
public sealed class AccessTokenHandler(IHttpContextAccessor accessor) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (accessor.HttpContext is { } context && await context.GetTokenAsync(AccessToken) is { Length: > 0 } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }
        return await base.SendAsync(request, cancellationToken);
    }

    public const string AccessToken = "access_token";
}
