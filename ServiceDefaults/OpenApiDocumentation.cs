using ClinicBooking.Contracts.Access;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using FluentValidation;
using FluentValidation.Validators;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.OpenApi;

namespace ClinicBooking.ServiceDefaults;

/// <summary>
/// What every service's OpenAPI document says beyond what ASP.NET Core infers: each operation has an id and a
/// summary (from its handler's name unless given), and request schemas and parameters carry the rules the
/// request validators enforce (required, lengths, ranges, patterns), read from those validators, so the
/// document cannot drift from what the API refuses.
/// </summary>
public static partial class OpenApiDocumentation
{
    /// <summary>An OpenAPI document with these conventions; it names no server, since clients call through the gateway.</summary>
    public static IServiceCollection AddDocumentedOpenApi(this IServiceCollection services, string documentName = "v1") =>
        services.AddOpenApi(documentName, options => options.AddClinicBookingConventions().AddDocumentTransformer((document, _, _) =>
        {
            document.Servers?.Clear();
            foreach (var tag in document.Tags ?? Enumerable.Empty<OpenApiTag>())
            {
                tag.Description ??= tag.Name is { } name ? TagDescriptions.GetValueOrDefault(name) : null;
            }
            // The scheme the operations' requirements name must be in the document itself, or each requirement
            // is written as {} ("no token needed"). Here a bearer token; the gateway's document describes the
            // OAuth 2.0 flows that get one.
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[SecuritySchemeName] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "An access token of IdentityService with the api scope.",
            };
            return Task.CompletedTask;
        }));

    /// <summary>What each group of operations is about, for the reference page and generated clients.</summary>
    private static readonly Dictionary<string, string> TagDescriptions = new()
    {
        ["Accounts"] = "Signing up, changing a password, locking an account (IdentityService).",
        ["Staff"] = "A clinic's staff accounts, managed by administrators (IdentityService).",
        ["Customers"] = "Customer records, their bookings across clinics, and a clinic's patients (CustomerService).",
        ["Clinics"] = "Clinics, each on one shard; created and deactivated by administrators, managed by their staff.",
        ["Shards"] = "The shards and their room, for administrators.",
        ["Doctors"] = "A clinic's doctors.",
        ["Time slots"] = "A clinic's shifts: hours of the day, in the clinic's time zone.",
        ["Doctor slots"] = "Which shifts each doctor works, on which weekdays: the template slots are generated from.",
        ["Booking slots"] = "Bookable appointments of a doctor on a date, generated from the templates or created by hand.",
        ["Availability"] = "Free booking slots, searched across clinics, and slot generation.",
        ["Bookings"] = "Booking a slot (verified with CustomerService, then confirmed), reading and cancelling bookings.",
        ["Notifications"] = "What a customer is sent about their bookings (mail, text messages), as they choose (NotificationService).",
        ["Consultations"] = "Online appointments' video calls: each holder's own join link while the call is open (ConsultationService).",
        ["Payments"] = "Invoices of priced appointments, charges the clinic adds, and payments with what they paid (PaymentService).",
        ["Operations"] = "For operators: the outbox, dead letters and what the services are doing.",
    };

    /// <summary>The OAuth 2.0 scheme (IdentityService's tokens) an operation's security requirement names.</summary>
    public const string SecuritySchemeName = "oauth2";

    private static OpenApiOptions AddClinicBookingConventions(this OpenApiOptions options)
    {
        // A price is a value written out where it is used, not a component: a field's x-set-by (below) sits on
        // its schema, and a $ref put in place of the schema after the transformers have run would drop it.
        options.CreateSchemaReferenceId = type => type.Type == typeof(Contracts.Payments.Price)
            ? null
            : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
        options.AddOperationTransformer((operation, context, _) =>
        {
            var handler = context.Description.ActionDescriptor.EndpointMetadata.OfType<MethodInfo>().FirstOrDefault();
            if (operation.OperationId is null && handler is not null && !handler.Name.Contains('<'))
            {
                operation.OperationId = handler.Name;
            }
            operation.Summary ??= operation.OperationId is { } id ? Sentence(id) : null;
            if (handler is not null && operation.Parameters is { } parameters)
            {
                ApplyParameterRules(parameters, handler, context.ApplicationServices);
            }
            // Every operation needs an access token unless its endpoint allows anonymous callers.
            var metadata = context.Description.ActionDescriptor.EndpointMetadata;
            if (!metadata.OfType<Microsoft.AspNetCore.Authorization.IAllowAnonymous>().Any())
            {
                operation.Security = [new OpenApiSecurityRequirement
                {
                    [new OpenApiSecuritySchemeReference(SecuritySchemeName, context.Document)] = ["api"],
                }];
            }
            return Task.CompletedTask;
        });
        options.AddSchemaTransformer((schema, context, _) =>
        {
            if (schema is OpenApiSchema target && target.Properties is { Count: > 0 } && context.JsonPropertyInfo is null)
            {
                ApplySchemaRules(target, context.JsonTypeInfo.Type, context.ApplicationServices);
                ApplyFieldOwners(target, context.JsonTypeInfo.Type);
            }
            return Task.CompletedTask;
        });
        return options;
    }

    /// <summary>"ListDoctorBookingSlots" → "List doctor booking slots".</summary>
    private static string Sentence(string name) =>
        WordStart().Replace(name, m => " " + m.Value.ToLowerInvariant()).Trim() is var s && s.Length > 0
            ? char.ToUpperInvariant(s[0]) + s[1..]
            : name;

    [GeneratedRegex("(?<=[a-z0-9])[A-Z]")]
    private static partial Regex WordStart();

    /// <summary>
    /// A body's schema: a property is required only when a validator requires it (ASP.NET Core marks every
    /// constructor parameter of a record required, although null is accepted for many), and carries the
    /// validators' lengths, ranges and patterns.
    /// </summary>
    private static void ApplySchemaRules(OpenApiSchema schema, Type type, IServiceProvider services)
    {
        var rules = RulesOf(type, services);
        if (rules.Count == 0)
        {
            return;
        }
        schema.Required = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, property) in schema.Properties!)
        {
            if (property is not OpenApiSchema target || !rules.TryGetValue(name, out var validators))
            {
                continue;
            }
            if (Describe(target, validators))
            {
                schema.Required.Add(name);
            }
        }
    }

    /// <summary>Each body field's owner roles (<see cref="SetByAttribute"/>), as <c>x-set-by</c>: who may send it.</summary>
    private static void ApplyFieldOwners(OpenApiSchema schema, Type type)
    {
        var owners = FieldOwnership.Of(type);
        foreach (var (name, property) in schema.Properties!)
        {
            if (property is OpenApiSchema target && owners.TryGetValue(name, out var field))
            {
                target.Extensions ??= new Dictionary<string, IOpenApiExtension>();
                target.Extensions["x-set-by"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray([.. field.Owners.Select(o => (System.Text.Json.Nodes.JsonNode?)o)]));
            }
        }
    }

    /// <summary>Query, route and header parameters bound from an <c>[AsParameters]</c> record with a validator.</summary>
    private static void ApplyParameterRules(IList<IOpenApiParameter> parameters, MethodInfo handler, IServiceProvider services)
    {
        var rules = handler.GetParameters()
            .Where(p => p.GetCustomAttribute<AsParametersAttribute>() is not null)
            .SelectMany(p => RulesOf(p.ParameterType, services))
            .ToDictionary(r => r.Key, r => r.Value, StringComparer.OrdinalIgnoreCase);
        foreach (var parameter in parameters.OfType<OpenApiParameter>())
        {
            if (parameter.Name is { } name && rules.TryGetValue(name, out var validators) && parameter.Schema is OpenApiSchema schema)
            {
                if (Describe(schema, validators) && parameter.In != ParameterLocation.Path)
                {
                    parameter.Required = true;
                }
            }
        }
    }

    /// <summary>Writes the validators' rules into the schema; true when they require a value.</summary>
    private static bool Describe(OpenApiSchema schema, IReadOnlyList<IPropertyValidator> validators)
    {
        var required = false;
        foreach (var validator in validators)
        {
            switch (validator)
            {
                case INotNullValidator:
                    required = true;
                    break;
                case INotEmptyValidator:
                    required = true;
                    if (IsString(schema))
                    {
                        schema.MinLength = Math.Max(schema.MinLength ?? 0, 1);
                    }
                    else if (IsArray(schema))
                    {
                        schema.MinItems = Math.Max(schema.MinItems ?? 0, 1);
                    }
                    break;
                // On a list, a bound is on how many items it has (a rule on its Length or Count).
                case IComparisonValidator { Comparison: Comparison.LessThanOrEqual, ValueToCompare: int most } when IsArray(schema):
                    schema.MaxItems = most;
                    break;
                case ILengthValidator length:
                    schema.MaxLength = length.Max > 0 ? length.Max : schema.MaxLength;
                    schema.MinLength = length.Min > 0 ? length.Min : schema.MinLength;
                    break;
                case IRegularExpressionValidator pattern:
                    schema.Pattern = pattern.Expression;
                    break;
                case IBetweenValidator { From: var from, To: var to }:
                    schema.Minimum = Number(from);
                    schema.Maximum = Number(to);
                    break;
                case IComparisonValidator { Comparison: var comparison, ValueToCompare: var value } when Number(value) is { } bound:
                    if (comparison is Comparison.GreaterThanOrEqual)
                    {
                        schema.Minimum = bound;
                    }
                    else if (comparison is Comparison.GreaterThan)
                    {
                        schema.ExclusiveMinimum = bound;
                    }
                    else if (comparison is Comparison.LessThanOrEqual)
                    {
                        schema.Maximum = bound;
                    }
                    else if (comparison is Comparison.LessThan)
                    {
                        schema.ExclusiveMaximum = bound;
                    }
                    break;
                case IEmailValidator:
                    schema.Format = "email";
                    break;
            }
        }
        return required;
    }

    private static bool IsString(OpenApiSchema schema) => schema.Type is { } type && type.HasFlag(JsonSchemaType.String);

    private static bool IsArray(OpenApiSchema schema) => schema.Type is { } type && type.HasFlag(JsonSchemaType.Array);

    private static string? Number(object? value) => value switch
    {
        int or long or short or byte => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };

    /// <summary>The validators of <paramref name="type"/> (and of the interfaces it implements), by JSON member name.</summary>
    private static Dictionary<string, IReadOnlyList<IPropertyValidator>> RulesOf(Type type, IServiceProvider services)
    {
        var result = new Dictionary<string, IReadOnlyList<IPropertyValidator>>(StringComparer.OrdinalIgnoreCase);
        foreach (var candidate in type.GetInterfaces().Prepend(type))
        {
            if (services.GetService(typeof(IValidator<>).MakeGenericType(candidate)) is not IValidator validator)
            {
                continue;
            }
            foreach (var member in validator.CreateDescriptor().GetMembersWithValidators())
            {
                if (string.IsNullOrEmpty(member.Key))
                {
                    continue;
                }
                var name = JsonNamingPolicy.CamelCase.ConvertName(member.Key);
                var found = result.TryGetValue(name, out var existing) ? existing : [];
                result[name] = [.. found, .. member.Select(m => m.Validator)];
            }
        }
        return result;
    }
}
