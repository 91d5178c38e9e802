using System.Net;
using System.Text.Json;

namespace ClinicBooking.WebApp.Api;

/// <summary>
/// What the API answered: a value, or the RFC 9457 problem it sent instead, read into what a page shows (its
/// detail, the field errors next to their fields, the blockers of a deactivation).
/// </summary>
public sealed record ApiResult<T>(HttpStatusCode Status, T? Value, ApiProblem? Problem, Uri? Location = null)
{
    public bool IsSuccess => Problem is null;
}

/// <summary>A problem details answer, as a page shows it.</summary>
public sealed class ApiProblem
{
    public required HttpStatusCode Status { get; init; }

    public required string Title { get; init; }

    /// <summary>The API's own sentence for a person; every problem it sends has one.</summary>
    public string? Detail { get; init; }

    /// <summary>Field errors, keyed by the request's JSON field names (e.g. <c>name</c>, <c>timeZone</c>).</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; init; } = new Dictionary<string, string[]>();

    /// <summary>Booked future slots that stop a deactivation (409).</summary>
    public IReadOnlyList<Blocker> Blockers { get; init; } = [];

    /// <summary>The errors of one field, whatever the case of its key.</summary>
    public IReadOnlyList<string> For(string field) =>
        Errors.Where(e => string.Equals(e.Key, field, StringComparison.OrdinalIgnoreCase)).SelectMany(e => e.Value).ToList();

    /// <summary>The errors no field on the page shows: said at the top with the detail.</summary>
    public IReadOnlyList<string> Besides(IEnumerable<string> fields)
    {
        var shown = new HashSet<string>(fields, StringComparer.OrdinalIgnoreCase);
        return Errors.Where(e => !shown.Contains(e.Key)).SelectMany(e => e.Value).ToList();
    }

    /// <summary>
    /// What a person reads at the top of the form. A validation problem's detail only says "see the errors",
    /// so the page leads with a plainer sentence; other problems carry their own sentence.
    /// </summary>
    public string Summary => Errors.Count > 0
        ? "Please correct the fields marked below."
        : Detail ?? Status switch
        {
            HttpStatusCode.Unauthorized => "Please sign in again.",
            HttpStatusCode.Forbidden => "Your account may not do this.",
            HttpStatusCode.NotFound => "It does not exist (or is not yours to see).",
            HttpStatusCode.TooManyRequests => "Too many requests: please wait a moment and try again.",
            HttpStatusCode.ServiceUnavailable => "The service is busy or not answering: please try again in a moment.",
            _ => Title,
        };

    /// <summary>The same problem, said next to one field (e.g. a 409 "this email is taken" next to the email).</summary>
    public ApiProblem About(string field) => new()
    {
        Status = Status,
        Title = Title,
        Detail = Detail,
        Errors = new Dictionary<string, string[]>(Errors, StringComparer.OrdinalIgnoreCase) { [field] = [Detail ?? Title] },
        Blockers = Blockers,
    };

    public static async Task<ApiProblem> ReadAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var status = response.StatusCode;
        if (status == HttpStatusCode.TooManyRequests)
        {
            // The gateway limits this visitor (no one else): a plain word, not the API's wording for programs.
            return new ApiProblem
            {
                Status = status,
                Title = "Busy",
                Detail = "You sent many requests in a short time. Wait a moment, then try again.",
            };
        }
        try
        {
            using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct), cancellationToken: ct);
            var root = document.RootElement;
            var errors = new Dictionary<string, string[]>(StringComparer.OrdinalIgnoreCase);
            if (root.TryGetProperty("errors", out var fields) && fields.ValueKind == JsonValueKind.Object)
            {
                foreach (var field in fields.EnumerateObject())
                {
                    errors[field.Name] = field.Value.ValueKind == JsonValueKind.Array
                        ? [.. field.Value.EnumerateArray().Select(m => m.ToString())]
                        : [field.Value.ToString()];
                }
            }
            var blockers = root.TryGetProperty("blockers", out var list) && list.ValueKind == JsonValueKind.Array
                ? list.Deserialize<List<Blocker>>(ApiJson.Options) ?? []
                : [];
            return new ApiProblem
            {
                Status = status,
                Title = root.TryGetProperty("title", out var title) ? title.GetString() ?? status.ToString() : status.ToString(),
                Detail = root.TryGetProperty("detail", out var detail) ? detail.GetString() : null,
                Errors = errors,
                Blockers = blockers,
            };
        }
        catch (JsonException)
        {
            return new ApiProblem { Status = status, Title = response.ReasonPhrase ?? status.ToString() };
        }
    }

    /// <summary>A refusal the page itself explains (nothing the API said).</summary>
    public static ApiProblem Message(string detail) => new()
    {
        Status = HttpStatusCode.Conflict,
        Title = "Not now",
        Detail = detail,
    };

    /// <summary>The API could not be reached at all (a timeout, a refused connection).</summary>
    public static ApiProblem Unreachable(string what) => new()
    {
        Status = HttpStatusCode.ServiceUnavailable,
        Title = "Service unavailable",
        Detail = $"{what} did not answer in time. Nothing is lost: please try again.",
    };
}
