using ClinicBooking.IdentityService.Accounts;
using ClinicBooking.IdentityService.Connect;
using ClinicBooking.IdentityService.Data;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace ClinicBooking.IdentityService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults<AccountsDbContext>();
        builder.Services.AddOptions<IdentityServiceOptions>().BindConfiguration(IdentityServiceOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Issuer is { IsAbsoluteUri: true }, "Identity:Issuer must be the absolute address clients reach IdentityService at.")
            .ValidateOnStart();

        builder.AddNpgsqlDbContext<AccountsDbContext>(ResourceNames.IdentityDatabase,
            settings => settings.ConnectionString = ConnectionSettings.ForServices(settings.ConnectionString!),
            options => options.UseOpenIddict().UseSnakeCaseNamingConvention());

        builder.AddRedisConnection(); // access revocations, and the sign-in throttle
        builder.AddAccounts();
        builder.AddTokenServer();

        builder.Services.AddSingleton<TokenKeys>();
        builder.Services.AddSingleton<ServiceTokens>();
        builder.Services.AddScoped<AccessTokenClaims>();
        builder.Services.AddScoped<AccountAccess>();
        builder.Services.AddScoped<PasswordCheck>();
        builder.Services.AddSingleton<SignInThrottle>();
        builder.Services.AddScoped<AccountSeeder>();
        builder.Services.AddScoped<ClientRegistry>();
        builder.Services.AddHostedService<IdentityDatabaseInitializer>();

        // Account mails (verification, password reset, email change) and a customer's confirmed address leave
        // through the outbox: NotificationService sends the mails, CustomerService keeps the address.
        builder.AddOutbox<AccountOutboxMessage, AccountOutbox>();
        builder.AddSagaMessaging(_ => { }, (_, _) => { });

        // No retries here: a sign-in asks whether the customer is active and must answer at once when
        // CustomerService is away. A sign-up cut off half way is completed by the next one (SignUps).
#pragma warning disable EXTEXP0001 // experimental API
        builder.Services.AddHttpClient<CustomerDirectory>(http => http.BaseAddress = new Uri(CustomerDirectory.BaseAddress))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddHttpClient<ClinicDirectory>(http => http.BaseAddress = new Uri(ClinicDirectory.BaseAddress));

        // Browsers reach the login page through the gateway; redirects must name the gateway's address.
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost);
    }

    private static void AddAccounts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddIdentity<Account, IdentityRole>(options =>
            {
                options.User.RequireUniqueEmail = true;
                // Length over character classes (NIST SP 800-63B): a long passphrase beats "Passw0rd!".
                options.Password.RequiredLength = 10;
                options.Password.RequireDigit = false;
                options.Password.RequireLowercase = false;
                options.Password.RequireUppercase = false;
                options.Password.RequireNonAlphanumeric = false;
                // Failed passwords never lock an account (a stranger could lock its owner out): SignInThrottle
                // slows guessing per account and address instead. A lock is an administrator's decision.
                options.Lockout.AllowedForNewUsers = true;
            })
            .AddEntityFrameworkStores<AccountsDbContext>()
            .AddDefaultTokenProviders()
            .AddAccountLinks();
        builder.Services.AddAntiforgery();
        // The sign-in cookie and antiforgery tokens are sealed with keys kept in the database (not in the
        // container, not per instance): a restart, a new image or a second instance keeps everyone signed in.
        builder.Services.AddDataProtection()
            .SetApplicationName("clinicbooking-identityservice")
            .PersistKeysToDbContext<AccountsDbContext>();
        // The sign-in cookie is checked against the account on every use: after a password change or a lock
        // it stops working at once, not after the default 30 minutes.
        builder.Services.Configure<SecurityStampValidatorOptions>(options => options.ValidationInterval = TimeSpan.Zero);
        builder.Services.ConfigureApplicationCookie(cookie =>
        {
            cookie.LoginPath = "/account/login";
            cookie.Cookie.Name = "clinicbooking.identity";
            cookie.ExpireTimeSpan = TimeSpan.FromHours(8);
        });
        // The API takes access tokens like every service's; the sign-in cookie is named explicitly where the
        // code flow uses it (the login page, /connect/authorize).
        builder.Services.AddAuthentication(options =>
        {
            // AddIdentity names the cookie for each of these; all three must change.
            options.DefaultScheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
            options.DefaultAuthenticateScheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
            options.DefaultChallengeScheme = OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme;
        });
        builder.Services.AddEndpointAccess();
    }

    private static void AddTokenServer(this IHostApplicationBuilder builder)
    {
        var passwordGrant = builder.Configuration.GetValue<bool>($"{IdentityServiceOptions.Section}:{nameof(IdentityServiceOptions.PasswordGrant)}");
        builder.Services.AddOpenIddict()
            .AddCore(core =>
            {
                core.UseEntityFrameworkCore().UseDbContext<AccountsDbContext>();
                core.ReplaceTokenManager(typeof(RevocationBroadcast<>));
            })
            .AddServer(server =>
            {
                server.SetTokenEndpointUris("connect/token")
                    .SetAuthorizationEndpointUris("connect/authorize")
                    .SetEndSessionEndpointUris("connect/logout")
                    // RFC 7009 (a client revokes its refresh token when it signs out) and OIDC userinfo.
                    .SetRevocationEndpointUris("connect/revoke")
                    .SetUserInfoEndpointUris("connect/userinfo");
                // PKCE with S256 only: "plain" would send the verifier's equal over the front channel.
                server.Configure(options => options.CodeChallengeMethods.Remove(CodeChallengeMethods.Plain));
                server.AllowAuthorizationCodeFlow().RequireProofKeyForCodeExchange()
                    .AllowClientCredentialsFlow()
                    .AllowRefreshTokenFlow();
                if (passwordGrant)
                {
                    server.AllowPasswordFlow();
                }
                server.RegisterScopes(Scopes.OpenId, Scopes.Email, Scopes.Profile, Scopes.Roles, Scopes.OfflineAccess, ApiAudience.Scope);
                // Access tokens are signed, not encrypted: every service reads them with the public key alone.
                server.DisableAccessTokenEncryption();
                server.UseAspNetCore()
                    .EnableTokenEndpointPassthrough()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableEndSessionEndpointPassthrough()
                    .EnableUserInfoEndpointPassthrough()
                    // TLS ends in front of the gateway; inside, services talk plain HTTP.
                    .DisableTransportSecurityRequirement();
            })
            .AddValidation(validation =>
            {
                validation.UseLocalServer();
                validation.UseAspNetCore();
            });

        // The keys come from the database (TokenKeys, loaded at start-up), the issuer from configuration.
        builder.Services.AddOptions<OpenIddictServerOptions>().Configure<TokenKeys, IOptions<IdentityServiceOptions>>((server, keys, settings) =>
        {
            server.Issuer = settings.Value.Issuer;
            server.SigningCredentials.Add(keys.SigningCredentials);
            server.EncryptionCredentials.Add(new EncryptingCredentials(keys.Encryption, SecurityAlgorithms.RsaOAEP, SecurityAlgorithms.Aes256CbcHmacSha512));
        });
    }

    public static WebApplication MapIdentityServiceApi(this WebApplication app)
    {
        app.MapConnectApi();
        app.MapLoginPage();
        var api = app.MapGroup("").WithRequestValidation();
        api.MapAccountsApi();
        api.MapAccountEmailsApi();
        app.MapOutboxOperations<AccountOutboxMessage>().AdministratorsAndServices();
        app.MapDeadLetters().AdministratorsAndServices();
        return app;
    }
}
