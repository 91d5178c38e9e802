using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace ClinicBooking.ServiceDefaults;

/// <summary>
/// Every error leaves a service as an RFC 9457 problem details document. Requests the framework cannot
/// bind (malformed JSON, a missing body, a non-numeric id) are the client's fault and answer 4xx with
/// the reason, never a bare 400 or a 500. What a handler refuses for a domain reason (something does not
/// exist, conflicts with the current state) it throws as a <see cref="ProblemException"/>, written here.
/// </summary>
public static class ProblemHandling
{
    public static IServiceCollection AddProblemHandling(this IServiceCollection services)
    {
        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemExceptionHandler>();
        services.AddExceptionHandler<BadRequestExceptionHandler>();
        // Binding failures throw in every environment so the handler below can explain them.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    public static WebApplication UseDefaultExceptionHandling(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages(WriteStatusProblemAsync);
        return app;
    }

    /// <summary>
    /// The problem for an answer the framework gave without a body: no endpoint for the path (404), the
    /// method (405) or the body's media type (415). Each says what to change, not just the status.
    /// </summary>
    private static async Task WriteStatusProblemAsync(StatusCodeContext context)
    {
        var http = context.HttpContext;
        var request = http.Request;
        var detail = http.Response.StatusCode switch
        {
            StatusCodes.Status401Unauthorized => http.Request.Headers.Authorization.Count > 0
                ? "The access token is not valid (expired, tampered with, or not issued for this API): sign in again."
                : "Sign in first: send an access token from /connect/token as Authorization: Bearer <token>.",
            StatusCodes.Status403Forbidden => $"Your account may not {request.Method} {request.Path}.",
            StatusCodes.Status404NotFound =>
                $"Nothing is served at {request.Path}: check the path, and that the ids in it are whole numbers.",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not allowed on {request.Path}.",
            StatusCodes.Status415UnsupportedMediaType => HttpMethods.IsPatch(request.Method)
                ? $"A PATCH body is a JSON merge patch: send it with Content-Type: {JsonMergePatch.MediaType}."
                : "The body must be JSON: send it with Content-Type: application/json.",
            _ => null,
        };
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = new ProblemDetails { Status = http.Response.StatusCode, Detail = detail },
        });
    }

    private sealed class ProblemExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not ProblemException problem)
            {
                return false;
            }
            context.Response.StatusCode = problem.Status;
            var details = new ProblemDetails { Status = problem.Status, Title = problem.Title, Detail = problem.Message };
            foreach (var (name, value) in problem.Extensions)
            {
                details.Extensions[name] = value;
            }
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = details });
        }
    }

    private sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException badRequest)
            {
                return false;
            }

            var detail = badRequest.InnerException is JsonException json
                ? $"The request body is not valid JSON for this endpoint: {json.Message}"
                : badRequest.Message;
            context.Response.StatusCode = badRequest.StatusCode;
            return await problemDetails.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                Exception = exception,
                ProblemDetails = new ProblemDetails
                {
                    Status = badRequest.StatusCode,
                    Title = badRequest.StatusCode == StatusCodes.Status415UnsupportedMediaType
                        ? "Unsupported media type"
                        : "Malformed request",
                    Detail = detail,
                },
            });
        }
    }
}

/// <summary>
/// A request refused for a domain reason, as the problem details it becomes: thrown wherever the reason is
/// found (a handler, a domain component), written in one place (<see cref="ProblemHandling"/>).
/// </summary>
public sealed class ProblemException(int status, string title, string detail, IReadOnlyDictionary<string, object?>? extensions = null)
    : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;

    public IReadOnlyDictionary<string, object?> Extensions { get; } = extensions ?? new Dictionary<string, object?>();

    public static ProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static ProblemException Conflict(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(StatusCodes.Status409Conflict, "Conflict", detail, extensions);

    public static ProblemException Unprocessable(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(StatusCodes.Status422UnprocessableEntity, "Unprocessable request", detail, extensions);

    public static ProblemException BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Bad request", detail);

    /// <summary>Field errors, as <see cref="Problems.Validation"/> writes them.</summary>
    public static ProblemException Validation(IDictionary<string, string[]> errors) =>
        new(StatusCodes.Status400BadRequest, "Validation failed", "One or more fields are invalid.",
            new Dictionary<string, object?> { ["errors"] = errors });
}

/// <summary>Writing a problem straight to a response, for middleware that answers before any endpoint runs.</summary>
public static class ProblemResponses
{
    public static async Task WriteProblemAsync(this HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = status, Title = title, Detail = detail },
        });
    }
}

/// <summary>Typed problem results with the titles used across the services.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status404NotFound, title: "Not found");

    public static ProblemHttpResult Conflict(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status409Conflict, title: "Conflict", extensions: extensions);

    public static ProblemHttpResult Unprocessable(string detail, IDictionary<string, object?>? extensions = null) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unprocessable request",
            extensions: extensions);

    public static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Bad request");

    public static ProblemHttpResult ServiceUnavailable(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");

    public static ValidationProblem Validation(IDictionary<string, string[]> errors) =>
        TypedResults.ValidationProblem(errors, detail: "One or more fields are invalid.", title: "Validation failed");
}
