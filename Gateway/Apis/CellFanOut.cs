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

    /// <summary>A cell's answer: its status (null when it did not answer) and its JSON body.</summary>
    public sealed record Answer(string Cell, HttpStatusCode? Status, JsonElement Body)
    {
        public bool Succeeded => Status is { } status && (int)status is >= 200 and < 300;
    }

    /// <summary>GETs <paramref name="pathAndQuery"/> from every cell; a cell that fails has a null response.</summary>
    public Task<IReadOnlyList<Answer>> GetAllAsync(string pathAndQuery, CancellationToken ct) =>
        GetAllAsync(shards.Cells, pathAndQuery, ct);

    /// <summary>GETs <paramref name="pathAndQuery"/> from the given cells in parallel.</summary>
    public async Task<IReadOnlyList<Answer>> GetAllAsync(IEnumerable<string> cells, string pathAndQuery, CancellationToken ct) =>
        await Task.WhenAll(cells.Select(cell => GetAsync(cell, pathAndQuery, ct)));

    private async Task<Answer> GetAsync(string cell, string pathAndQuery, CancellationToken ct)
    {
        try
        {
            using var response = await Client.GetAsync($"http://{cell}{pathAndQuery}", ct);
            var body = response.Content.Headers.ContentLength == 0
                ? default
                : await response.Content.ReadFromJsonAsync<JsonElement>(ct);
            return new Answer(cell, response.StatusCode, body);
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException
                                   || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            logger.LogWarning(ex, "Cell {Cell} did not answer {Path}", cell, pathAndQuery);
            return new Answer(cell, null, default);
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
            return new ForwardedResponse(await Client.PostAsync($"http://{cell}{pathAndQuery}", body, ct));
        }
        catch (Exception ex) when (ex is HttpRequestException || (ex is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return Problems.ServiceUnavailable($"The cell {cell} is not answering; other clinics are not affected. Retry later.");
        }
    }
}
