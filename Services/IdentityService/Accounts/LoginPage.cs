using System.Net;
using ClinicBooking.IdentityService.Data;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using ClinicBooking.IdentityService.Extensions;

namespace ClinicBooking.IdentityService.Accounts;

/// <summary>
/// The sign-in page of the code flow: a browser sent here by /connect/authorize signs in and goes back there.
/// A plain form (no script), protected against cross-site posts by an antiforgery token.
/// </summary>
public static class LoginPage
{
    public sealed record LoginForm(string? Email, string? Password, string? ReturnUrl);

    public static IEndpointRouteBuilder MapLoginPage(this IEndpointRouteBuilder app)
    {
        var login = app.MapGroup("/account/login").AllowAnonymous().ExcludeFromDescription();
        login.MapGet("/", (HttpContext context, IAntiforgery antiforgery, IOptions<IdentityServiceOptions> options, string? returnUrl) =>
            Page(context, antiforgery, options.Value.WebApp, returnUrl, email: null, error: null));
        login.MapPost("/", SignIn);
        return app;
    }

    public static async Task<IResult> SignIn(
        [FromForm] LoginForm form, HttpContext context, IAntiforgery antiforgery, SignInManager<Account> signIn, PasswordCheck passwords,
        IOptions<IdentityServiceOptions> options)
    {
        var outcome = await passwords.CheckAsync(form.Email, form.Password, context, context.RequestAborted);
        if (outcome.Account is { } account)
        {
            await signIn.SignInAsync(account, isPersistent: false);
            // Only back into this site: an open redirect would let a link send the browser anywhere after sign-in.
            return Results.LocalRedirect(LocalUrls.LocalOrHome(context, form.ReturnUrl));
        }
        return Page(context, antiforgery, options.Value.WebApp, form.ReturnUrl, form.Email, outcome.Error, StatusCodes.Status400BadRequest);
    }


    private static IResult Page(HttpContext context, IAntiforgery antiforgery, Uri? webApp, string? returnUrl, string? email, string? error,
        int status = StatusCodes.Status200OK)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        static string E(string? value) => WebUtility.HtmlEncode(value ?? "");
        var alert = error is null ? "" : $"""<p role="alert" id="error">{E(error)}</p>""";
        var forgot = webApp is null ? "" : $"""<p><a id="forgot" href="{E(new Uri(webApp, "/account/forgot-password").AbsoluteUri)}">Forgot your password?</a></p>""";
        var html = $$"""
            <!doctype html>
            <html lang="en">
            <head>
              <meta charset="utf-8">
              <meta name="viewport" content="width=device-width, initial-scale=1">
              <title>Sign in · ClinicBooking</title>
              <style>
                body { font-family: system-ui, sans-serif; max-width: 24rem; margin: 3rem auto; padding: 0 1rem; color: #1a1a1a; }
                label { display: block; margin-top: 1rem; font-weight: 600; }
                input { width: 100%; padding: .5rem; font-size: 1rem; box-sizing: border-box; }
                button { margin-top: 1.5rem; padding: .6rem 1.2rem; font-size: 1rem; background: #0b5cad; color: #fff; border: 0; border-radius: 4px; }
                [role=alert] { color: #a00; font-weight: 600; }
              </style>
            </head>
            <body>
              <main>
                <h1>Sign in to ClinicBooking</h1>
                {{alert}}
                <form method="post" action="/account/login">
                  <input type="hidden" name="{{E(tokens.FormFieldName)}}" value="{{E(tokens.RequestToken)}}">
                  <input type="hidden" name="returnUrl" value="{{E(returnUrl)}}">
                  <label for="email">Email</label>
                  <input id="email" name="email" type="email" autocomplete="username" required value="{{E(email)}}">
                  <label for="password">Password</label>
                  <input id="password" name="password" type="password" autocomplete="current-password" required>
                  <button type="submit">Sign in</button>
                </form>
                {{forgot}}
              </main>
            </body>
            </html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", statusCode: status);
    }
}
