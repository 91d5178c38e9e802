using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Routing;

namespace ClinicBooking.ServiceDefaults;

/// <summary>
/// Where a browser may be sent back to after signing in: only into the same site, or a link could send it
/// anywhere (an open redirect). The framework's own check (<c>IUrlHelper.IsLocalUrl</c>), which also refuses
/// control characters: "/\t/evil.example" reaches a browser as "//evil.example".
/// </summary>
public static class LocalUrls
{
    public static bool IsLocal(HttpContext context, string? url) =>
        new UrlHelper(new ActionContext(context, new RouteData(), new ActionDescriptor())).IsLocalUrl(url);

    /// <summary>The URL if it is local (an app-relative "~/x" as "/x"), else the site's root.</summary>
    public static string LocalOrHome(HttpContext context, string? url) =>
        IsLocal(context, url) ? (url!.StartsWith("~/", StringComparison.Ordinal) ? url[1..] : url) : "/";
}
