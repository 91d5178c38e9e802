using System.Reflection;
using System.Text.Json;
using ClinicBooking.Contracts;
using ClinicBooking.Contracts.Access;
using FluentValidation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBooking.ServiceDefaults;

/// <summary>
/// The one way requests are validated: every handler argument whose type has a FluentValidation validator
/// (a body, or an <c>[AsParameters]</c> bundle of query, route and header values) is checked before the
/// handler runs, and the field errors come back as one 400 validation problem. Services apply it once, to
/// the group that holds all their endpoints, so no endpoint can go without. Endpoints whose arguments have no
/// validator get no filter at all, so the check costs nothing where there is nothing to check.
/// Before the rules, each body's fields are checked against their owners (<see cref="SetByAttribute"/>): a
/// field the caller's role does not own, sent with a value, is a 403 that names it, and nothing changes.
/// </summary>
public static class ValidationFilter
{
    public static TBuilder WithRequestValidation<TBuilder>(this TBuilder builder) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesValidationProblem().AddEndpointFilterFactory((factory, next) =>
        {
            var validators = factory.MethodInfo.GetParameters()
                .Select((parameter, index) => (Index: index, Validator: ValidatorFor(factory.ApplicationServices, parameter)))
                .Where(p => p.Validator is not null)
                .ToList();
            var owned = factory.MethodInfo.GetParameters()
                .Select((parameter, index) => (Index: index, parameter.ParameterType))
                .Where(p => FieldOwnership.Of(p.ParameterType).Count > 0)
                .Select(p => p.Index)
                .ToList();
            if (validators.Count == 0 && owned.Count == 0)
            {
                return next;
            }
            return async context =>
            {
                foreach (var index in owned)
                {
                    if (context.Arguments[index] is { } body)
                    {
                        FieldOwnershipCheck.ThrowIfNotOwned(body.GetType(), context.HttpContext.User, FieldOwnership.SetFields(body));
                    }
                }
                var errors = new Dictionary<string, string[]>();
                foreach (var (index, validator) in validators)
                {
                    if (context.Arguments[index] is not { } argument)
                    {
                        continue;
                    }
                    var result = await validator!.ValidateAsync(new ValidationContext<object>(argument), context.HttpContext.RequestAborted);
                    foreach (var (field, messages) in result.ToDictionary())
                    {
                        errors[field] = messages;
                    }
                }
                return errors.Count > 0 ? Problems.Validation(errors) : await next(context);
            };
        });

    /// <summary>
    /// Validates what a handler put together itself (e.g. a resource merged with a patch), the same way the
    /// filter validates requests: a 400 validation problem when anything is invalid.
    /// </summary>
    public static async Task ValidateOrThrowAsync<T>(this IValidator<T> validator, T value, CancellationToken ct)
    {
        var result = await validator.ValidateAsync(value, ct);
        if (!result.IsValid)
        {
            throw ProblemException.Validation(result.ToDictionary());
        }
    }

    private static IValidator? ValidatorFor(IServiceProvider services, ParameterInfo parameter) =>
        services.GetService(typeof(IValidator<>).MakeGenericType(parameter.ParameterType)) as IValidator;
}

/// <summary>The one refusal of a field the caller's role does not own.</summary>
public static class FieldOwnershipCheck
{
    public static void ThrowIfNotOwned(Type requestType, System.Security.Claims.ClaimsPrincipal user, IEnumerable<string> setFields)
    {
        if (FieldOwnership.FirstNotOwned(requestType, Caller.From(user), setFields) is { } refused)
        {
            throw new ProblemException(StatusCodes.Status403Forbidden, "Forbidden",
                $"Your account may not set {refused.Field}: only {Owners(refused.Owners)} may. Leave it out.",
                new Dictionary<string, object?> { ["field"] = refused.Field });
        }
    }

    private static string Owners(IReadOnlyList<string> roles) => string.Join(" and ", roles.Select(r => r switch
    {
        Roles.Administrator => "administrators",
        Roles.Staff => "the clinic's staff",
        Roles.Customer => "the customer",
        Roles.Service => "services",
        _ => r,
    }));
}

/// <summary>
/// The base of every request validator: field errors are keyed, and named in messages, by the JSON names
/// clients send ("timeZone", "pageSize"), not by the C# member names.
/// </summary>
public abstract class RequestValidator<T> : AbstractValidator<T>
{
    static RequestValidator()
    {
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = ValidatorOptions.Global.PropertyNameResolver;
    }
}

/// <summary>
/// The client's key for one attempt of a create (the <c>Idempotency-Key</c> header): the same attempt sent again
/// (a retry after a lost answer, a double click) gets what the first one made, instead of a second one.
/// </summary>
public sealed record IdempotencyKey([property: FromHeader(Name = IdempotencyKey.Header)] string? Value)
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 200;
}

public sealed class IdempotencyKeyValidator : RequestValidator<IdempotencyKey>
{
    public IdempotencyKeyValidator() =>
        // A length and a pattern rather than one predicate, so that the OpenAPI document states both.
        RuleFor(k => k.Value).Cascade(CascadeMode.Stop)
            .Length(1, IdempotencyKey.MaxLength)
            .Matches("^[!-~]+$")
            .When(k => k.Value is not null)
            .OverridePropertyName(IdempotencyKey.Header)
            .WithMessage($"The {IdempotencyKey.Header} header must be 1 to {IdempotencyKey.MaxLength} visible ASCII characters.");
}

/// <summary>Rules for text that every service applies alike, to stored fields and to filters.</summary>
public static class TextValidation
{
    /// <summary>No control character (C0, DEL, C1), as a pattern the OpenAPI document can show.</summary>
    public const string NoControlCharactersPattern = @"^[^\u0000-\u001F\u007F-\u009F]*$";

    /// <summary>
    /// Text without control characters or unpaired surrogates. PostgreSQL cannot store U+0000 in text at all,
    /// and an unpaired surrogate has no UTF-8 encoding: either would fail in the database after validation,
    /// as a 500. The other control characters (line breaks, escapes) have no place in a name, a phone number
    /// or a filter, so one rule refuses them all.
    /// </summary>
    public static IRuleBuilderOptions<T, string?> PlainText<T>(this IRuleBuilder<T, string?> rule) =>
        rule.Matches(NoControlCharactersPattern)
            .WithMessage("{PropertyName} must not contain control characters such as U+0000 or line breaks.")
            .Must(value => value is null || !HasUnpairedSurrogate(value))
            .WithMessage("{PropertyName} must be valid Unicode text (it has an unpaired surrogate).");

    /// <summary>
    /// Plain text of at most <paramref name="maxLength"/> characters once trimmed, as it is stored. A length
    /// rule of FluentValidation's own kind, so the OpenAPI document shows it as <c>maxLength</c>.
    /// </summary>
    public static IRuleBuilderOptions<T, string?> TrimmedMaximumLength<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.SetValidator(new TrimmedMaximumLengthValidator<T>(maxLength))
            .WithMessage($"{{PropertyName}} must be at most {maxLength} characters.")
            .PlainText();

    private sealed class TrimmedMaximumLengthValidator<T>(int max) : FluentValidation.Validators.MaximumLengthValidator<T>(max)
    {
        public override bool IsValid(ValidationContext<T> context, string value) => value is null || value.Trim().Length <= Max;
    }

    /// <summary>A text filter from the query string: plain text of at most <paramref name="maxLength"/> characters.</summary>
    public static IRuleBuilderOptions<T, string?> Filter<T>(this IRuleBuilder<T, string?> rule, int maxLength) =>
        rule.MaximumLength(maxLength).WithMessage($"{{PropertyName}} must be at most {maxLength} characters.").PlainText();

    private static bool HasUnpairedSurrogate(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            if (char.IsHighSurrogate(value[i]) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(value[i]))
            {
                return true;
            }
        }
        return false;
    }
}

/// <summary>A numbered page of a list, from the query string (<c>pageIndex</c>, <c>pageSize</c>).</summary>
public sealed record PageRequest(
    [FromQuery(Name = "pageIndex")] int PageIndex = 0, [FromQuery(Name = "pageSize")] int PageSize = Paging.DefaultPageSize)
{
    /// <summary>The highest page index whose offset (<c>pageIndex * pageSize</c>) still fits an int at any page size.</summary>
    public const int MaxPageIndex = int.MaxValue / Paging.MaxPageSize;

    public int Skip => PageIndex * PageSize;
}

public sealed class PageRequestValidator : RequestValidator<PageRequest>
{
    public PageRequestValidator()
    {
        RuleFor(p => p.PageIndex).InclusiveBetween(0, PageRequest.MaxPageIndex)
            .WithMessage($"pageIndex must be between 0 and {PageRequest.MaxPageIndex}.");
        RuleFor(p => p.PageSize).InclusiveBetween(1, Paging.MaxPageSize)
            .WithMessage($"pageSize must be between 1 and {Paging.MaxPageSize}.");
    }
}
