using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ClinicBooking.AppHost.Infrastructure;

/// <summary>
/// Healthy when a real client can connect with the resource's connection string and do one round trip; a
/// listening port alone would report RabbitMQ or PostgreSQL ready while they still refuse sessions.
/// </summary>
public sealed class ConnectionProbeHealthCheck(
    IResourceWithConnectionString resource,
    Func<string, CancellationToken, Task> probe) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var connectionString = await resource.GetConnectionStringAsync(cancellationToken)
                ?? throw new InvalidOperationException($"{resource.Name} has no connection string yet.");
            await probe(connectionString, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
        }
    }
}
