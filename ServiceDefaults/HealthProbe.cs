namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The container health check of every service image: <c>dotnet /app/Service.dll --health-probe</c> asks the
/// running service's readiness endpoint and exits 0 when it answers 200. The images have no curl or wget (nor
/// should they), and image formats (OCI) carry no health check of their own, so the deployment description
/// (deploy/compose.yaml) runs this command.
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--health-probe";

    /// <summary>Whether this process was started as the probe rather than as the service.</summary>
    public static bool Requested(string[] args) => args is [Argument];

    /// <summary>0 when the service on this container's first HTTP port is ready, 1 otherwise.</summary>
    public static async Task<int> RunAsync()
    {
        var ports = Environment.GetEnvironmentVariable("ASPNETCORE_HTTP_PORTS") ?? "8080";
        var port = ports.Split([',', ';'], StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? "8080";
        using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(3) };
        try
        {
            using var response = await client.GetAsync($"http://127.0.0.1:{port}/health");
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            await Console.Error.WriteLineAsync($"Not ready: {ex.Message}");
            return 1;
        }
    }
}
