using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ClinicBooking.Shared;

/// <summary>
/// The one place a service turns what its database refuses into a 409 problem that says why, for every
/// endpoint. Handlers check first where they can give a clear message; this covers the races and everything
/// only the database can see (a unique index, a constraint, a concurrent edit of the same row). Each service
/// names its constraints' messages once (<see cref="ConstraintExtensions.AddConstraintProblems"/>).
/// </summary>
internal sealed class ConstraintProblems(IProblemDetailsService problemDetails, ConstraintMessages messages) : IExceptionHandler
{
    public const string ConcurrentChange = "The resource was changed by another request at the same time; read it again and retry.";

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var detail = exception switch
        {
            DbUpdateConcurrencyException => ConcurrentChange,
            DbUpdateException { InnerException: PostgresException pg } => Describe(pg),
            PostgresException pg => Describe(pg),
            _ => null,
        };
        if (detail is null)
        {
            return false;
        }
        context.Response.StatusCode = StatusCodes.Status409Conflict;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = StatusCodes.Status409Conflict, Title = "Conflict", Detail = detail },
        });
    }

    /// <summary>What a constraint violation means, or null for any other database error.</summary>
    private string? Describe(PostgresException ex) => ex.SqlState switch
    {
        PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.ForeignKeyViolation
            or PostgresErrorCodes.ExclusionViolation or PostgresErrorCodes.CheckViolation =>
            messages.ByConstraint.GetValueOrDefault(ex.ConstraintName ?? "", $"The change breaks the rule {ex.ConstraintName}."),
        _ => null,
    };
}

/// <summary>A service's constraint names and what each refusal tells the caller.</summary>
internal sealed record ConstraintMessages(IReadOnlyDictionary<string, string> ByConstraint);

internal static class ConstraintExtensions
{
    public static IHostApplicationBuilder AddConstraintProblems(this IHostApplicationBuilder builder, IReadOnlyDictionary<string, string> messages)
    {
        builder.Services.AddSingleton(new ConstraintMessages(messages));
        builder.Services.AddExceptionHandler<ConstraintProblems>();
        return builder;
    }
}
