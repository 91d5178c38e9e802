using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ClinicBooking.IntegrationTests;

/// <summary>Small helpers for calling the API and reading its problem details.</summary>
public static class Http
{
    public static StringContent Json(string json, string mediaType = "application/json") =>
        new(json, Encoding.UTF8, mediaType);

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>Asserts an RFC 9457 problem document with the given status and returns it.</summary>
    public static async Task<JsonElement> AssertProblemAsync(this HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.ReadJsonAsync();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>Whether a problem says what was wrong: a detail, or field errors.</summary>
    public static bool SaysWhy(this JsonElement problem) =>
        (problem.TryGetProperty("detail", out var detail) && !string.IsNullOrWhiteSpace(detail.GetString()))
        || problem.TryGetProperty("errors", out _);

    public static string[] FieldErrors(this JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name).Order().ToArray();

    /// <summary>
    /// A client of <paramref name="baseAddress"/> whose connections come from <paramref name="address"/> (any
    /// 127.x address is this machine): per-client limits count it as a client of its own.
    /// </summary>
    public static HttpClient FromAddress(Uri baseAddress, string address) => new(new System.Net.Http.SocketsHttpHandler
    {
        ConnectCallback = async (context, ct) =>
        {
            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Stream,
                System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            socket.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Parse(address), 0));
            await socket.ConnectAsync(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, context.DnsEndPoint.Port), ct);
            return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
        },
    }) { BaseAddress = baseAddress };

    /// <summary>An email no other test uses, so tests sharing one database never collide.</summary>
    public static string UniqueEmail(string name = "customer") => $"{name}-{Guid.NewGuid():N}@example.com";

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test when it has not within <paramref name="seconds"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, int seconds = 60)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(seconds);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"The condition did not hold within {seconds} s.");
            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
    }
}
