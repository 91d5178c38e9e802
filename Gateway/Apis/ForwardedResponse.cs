namespace ClinicBooking.Gateway.Apis;

/// <summary>Relays a cell's answer (status, Location, body) to the client unchanged.</summary>
public sealed class ForwardedResponse(HttpResponseMessage response) : IResult
{
    public async Task ExecuteAsync(HttpContext context)
    {
        using (response)
        {
            context.Response.StatusCode = (int)response.StatusCode;
            if (response.Headers.Location is { } location)
            {
                context.Response.Headers.Location = location.OriginalString;
            }
            if (response.Content.Headers.ContentType is { } type)
            {
                context.Response.ContentType = type.ToString();
            }
            await response.Content.CopyToAsync(context.Response.Body, context.RequestAborted);
        }
    }
}
