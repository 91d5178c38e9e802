using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ClinicBooking.Gateway.Routing;

namespace ClinicBooking.Gateway.Apis;

/// <summary>Asks every ClinicService cell the same question in parallel, and says which did not answer.</summary>
public sealed class CellFanOut(IHttpClientFactory httpClients, ShardMap shards, ILogger<CellFanOut> logger)
{
    public const string HttpClientName = "cells";
    public static readonly TimeSpan CellTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A write forwarded to its one cell (a clinic, a booking slot, slot generation) is not cut off after
    /// <see cref="CellTimeout"/>: a client whose write was cut off cannot tell whether it happened, and a large
    /// clinic's generation takes seconds. The cell's own statement limits end it first.
    /// </summary>
    public const string WriteHttpClientName = "cell-writes";
    public static readonly TimeSpan WriteTimeout = TimeSpan.FromMinutes(3);

    /// <summary>
    /// A cell's answer: its status (null when it did not answer), its body read as <typeparamref name="T"/>
    /// when it succeeded, or else its problem details as they came.
    /// </summary>
    public sealed record Answer<T>(string Cell, HttpStatusCode? Status, T? Value, JsonElement? Problem)
    {
        public bool Succeeded => Status is { } status && (int)status is >= 200 and < 300;
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> from every cell.</summary>
    public Task<IReadOnlyList<Answer<T>>> GetAllAsync<T>(string pathAndQuery, CancellationToken ct) =>
        GetAllAsync<T>(shards.Cells, pathAndQuery, ct);

    /// <summary>GETs <paramref name="pathAndQuery"/> from the given cells in parallel.</summary>
    public async Task<IReadOnlyList<Answer<T>>> GetAllAsync<T>(IEnumerable<string> cells, string pathAndQuery, CancellationToken ct) =>
        await Task.WhenAll(cells.Select(cell => GetAsync<T>(cell, pathAndQuery, ct)));

    private async Task<Answer<T>> GetAsync<T>(string cell, string pathAndQuery, CancellationToken ct)
    {
        try
        {
            using var response = await Client.GetAsync($"http://{cell}{pathAndQuery}", ct);
            if (response.StatusCode == HttpStatusCode.NoContent)
            {
                return new Answer<T>(cell, response.StatusCode, default, null);
            }
            return response.IsSuccessStatusCode
                ? new Answer<T>(cell, response.StatusCode, await response.Content.ReadFromJsonAsync<T>(ct), null)
                : new Answer<T>(cell, response.StatusCode, default, await response.Content.ReadFromJsonAsync<JsonElement>(ct));
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException or NotSupportedException
                                   || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning(ex, "Cell {Cell} did not answer {Path}", cell, pathAndQuery);
            return new Answer<T>(cell, null, default, null);
        }
    }

    public HttpClient Client => httpClients.CreateClient(HttpClientName);

    /// <summary>
    /// POSTs a client's body (with its content type) to one cell and relays the answer; a cell that does
    /// not answer is a 503 problem naming it.
    /// </summary>
    public async Task<IResult> ForwardPostAsync(string cell, string pathAndQuery, HttpContent body, string? contentType, CancellationToken ct)
    {
        if (contentType is not null)
        {
            body.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }
        try
        {
            return new ForwardedResponse(await httpClients.CreateClient(WriteHttpClientName).PostAsync($"http://{cell}{pathAndQuery}", body, ct));
        }
        catch (HttpRequestException ex) when (Admission.BodyLimit.ClientFault(ex) is { } fault)
        {
            // Reading the client's body failed (too large, cut short): the client's doing, answered as such.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(fault);
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return Problems.ServiceUnavailable($"The cell {cell} is not answering; other clinics are not affected. Retry later.");
        }
    }
}

/// <summary>What a fan-out gathered: the cells' answers that succeeded, and the cells that did not answer.</summary>
public static class FanOutAnswers
{
    /// <summary>The first refusal of the request (400) by a cell: they validate it alike, so it stands for all.</summary>
    public static JsonElement? Refusal<T>(this IReadOnlyList<CellFanOut.Answer<T>> answers) =>
        answers.FirstOrDefault(a => a.Status == HttpStatusCode.BadRequest)?.Problem;

    /// <summary>
    /// The first refusal of the request by a cell (400, or 401/403 for what the caller may not see): the cells
    /// decide alike, so it stands for all.
    /// </summary>
    public static CellFanOut.Answer<T>? ClientError<T>(this IReadOnlyList<CellFanOut.Answer<T>> answers) =>
        answers.FirstOrDefault(a => a.Status is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden && a.Problem is not null);

    public static List<T> Values<T>(this IReadOnlyList<CellFanOut.Answer<T>> answers) =>
        answers.Where(a => a.Succeeded && a.Value is not null).Select(a => a.Value!).ToList();

    public static List<string> Unavailable<T>(this IReadOnlyList<CellFanOut.Answer<T>> answers) =>
        answers.Where(a => !a.Succeeded).Select(a => a.Cell).ToList();
}
