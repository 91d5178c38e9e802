using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace ClinicBooking.Gateway.Routing;

/// <summary>
/// Explains a request the proxy could not complete, as a problem: the client's own fault (a body it did not
/// send in full, or too large) as the 4xx it is; a service that did not answer as a 503 naming it.
/// </summary>
public static class ProxyErrors
{
    /// <summary>
    /// What a 503 for a service that does not answer says in Retry-After: a crashed service is restarted by
    /// its platform and answers again within seconds (README, "Deploy": the measured recovery).
    /// </summary>
    public const int RetryAfterSeconds = 5;

    public static async Task ExplainAsync(HttpContext context, Func<Task> next)
    {
        await next();
        if (context.GetForwarderErrorFeature() is not { } error || context.Response.HasStarted)
        {
            return;
        }

        var cluster = context.GetReverseProxyFeature().Cluster?.Config.ClusterId ?? "the service";
        (int Status, string Title, string Detail) problem = error.Error switch
        {
            ForwarderError.RequestBodyClient when Admission.BodyLimit.ClientFault(error.Exception) is { StatusCode: var code } bad =>
                (code, code == StatusCodes.Status413PayloadTooLarge ? "Request body too large" : "Malformed request", bad.Message),
            ForwarderError.RequestBodyClient =>
                (StatusCodes.Status400BadRequest, "Malformed request", "The request body could not be read in full."),
            // The client went away; nobody reads the answer, but the status says whose doing it was.
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled =>
                (StatusCodes.Status400BadRequest, "Request cancelled", "The client cancelled the request."),
            _ when cluster == Clusters.CustomerService =>
                (StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                    $"CustomerService is not answering ({error.Error}); clinics, doctors and availability are not affected. Retry later."),
            _ => (StatusCodes.Status503ServiceUnavailable, "Cell unavailable",
                $"The cell that serves this clinic ({cluster}) is not answering ({error.Error}); other clinics are not affected. Retry later."),
        };
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        await context.WriteProblemAsync(problem.Status, problem.Title, problem.Detail);
    }
}
