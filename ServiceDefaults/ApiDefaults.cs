using System.Text.Json;
using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClinicBooking.ServiceDefaults;

/// <summary>The set-up every service with an API of its own shares: JSON, OpenAPI, validation and the clock.</summary>
public static class ApiDefaults
{
    /// <summary>
    /// Enums travel as camelCase names; the OpenAPI document names no server, since clients call through the
    /// gateway; request validators (<see cref="RequestValidator{T}"/>) are found in <typeparamref name="TProgram"/>'s
    /// assembly and run by <see cref="ValidationFilter"/>.
    /// </summary>
    public static IHostApplicationBuilder AddApiDefaults<TProgram>(this IHostApplicationBuilder builder)
    {
        builder.Services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase));
            // A number is a JSON number: "5" is refused (400), and the document types ids and counts as
            // integers, not "integer or string", so a generated client passes an id it got to the next call.
            options.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
        });
        builder.Services.AddDocumentedOpenApi();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(typeof(MergePatcher<>));
        builder.Services.AddHttpContextAccessor(); // a merge patch checks its fields' owners against the caller

        builder.Services.AddValidatorsFromAssemblyContaining<TProgram>(ServiceLifetime.Singleton, includeInternalTypes: true);
        builder.Services.AddValidatorsFromAssemblyContaining<PageRequestValidator>(ServiceLifetime.Singleton);
        return builder;
    }
}
