namespace ClinicBooking.Gateway.Admission;

/// <summary>
/// Refuses a request whose header values are not ASCII, with a 400 problem naming the header, before it is
/// routed. HTTP header values are ASCII text (RFC 9110 §5.5); the gateway's HTTP client cannot send any other
/// to a service, so such a request used to fail while being forwarded and came back as a 5xx blamed on the
/// cell (and counted against its health), although the client sent something no service could receive.
/// </summary>
public static class HeaderCheck
{
    public static IApplicationBuilder UseAsciiHeaderCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        foreach (var (name, values) in context.Request.Headers)
        {
            foreach (var value in values)
            {
                if (value is not null && !IsAsciiFieldValue(value))
                {
                    await context.WriteProblemAsync(StatusCodes.Status400BadRequest, "Malformed request",
                        $"The value of the {name} header has characters outside printable ASCII; " +
                        "header values must be ASCII (RFC 9110, section 5.5). Percent-encode other text.");
                    return;
                }
            }
        }
        await next(context);
    });

    /// <summary>Visible ASCII, spaces and tabs.</summary>
    private static bool IsAsciiFieldValue(string value)
    {
        foreach (var c in value)
        {
            if (c is not ('\t' or (>= ' ' and <= '~')))
            {
                return false;
            }
        }
        return true;
    }
}
