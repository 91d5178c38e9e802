namespace ClinicBooking.WebApp.Api;

/// <summary>
/// Names the visitor's own address on every API call, with the key the gateway trusts it by
/// (<c>Gateway:ForwarderKey</c>): the gateway then counts its per-client limits per visitor. Without it every
/// visitor would share the web app's one address, and one busy visitor would use up everybody's limit.
/// </summary>
public sealed class VisitorAddressHandler(IHttpContextAccessor accessor, IConfiguration configuration) : DelegatingHandler
{
    public const string AddressHeader = "X-Visitor-Address";
    public const string KeyHeader = "X-Visitor-Key";

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (configuration["Gateway:ForwarderKey"] is { Length: > 0 } key
            && accessor.HttpContext?.Connection.RemoteIpAddress is { } visitor)
        {
            request.Headers.Remove(AddressHeader);
            request.Headers.TryAddWithoutValidation(AddressHeader, visitor.ToString());
            request.Headers.TryAddWithoutValidation(KeyHeader, key);
        }
        return base.SendAsync(request, cancellationToken);
    }
}
