using System.Reflection;
using System.Text.Json;
using ClinicBooking.Contracts;
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
            if (validators.Count == 0)
            {
                return next;
            }
            return async context =>
            {
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

/// <summary>A numbered page of a list, from the query string (<c>pageIndex</c>, <c>pageSize</c>).</summary>
public sealed record PageRequest(
    [FromQuery(Name = "pageIndex")] int PageIndex = 0, [FromQuery(Name = "pageSize")] int PageSize = Paging.DefaultPageSize)
{
    public int Skip => PageIndex * PageSize;
}

public sealed class PageRequestValidator : RequestValidator<PageRequest>
{
    public PageRequestValidator()
    {
        RuleFor(p => p.PageIndex).GreaterThanOrEqualTo(0).WithMessage("pageIndex must be 0 or greater.");
        RuleFor(p => p.PageSize).InclusiveBetween(1, Paging.MaxPageSize)
            .WithMessage($"pageSize must be between 1 and {Paging.MaxPageSize}.");
    }
}
