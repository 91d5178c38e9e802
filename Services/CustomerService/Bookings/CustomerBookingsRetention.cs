using System.ComponentModel.DataAnnotations;
using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.CustomerService.Bookings;

/// <summary>How long the customers' lists keep what is over (section <c>Retention</c>, as in the cells).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>A booking that never became an appointment (rejected or expired) leaves the list this long after it ended.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan EndedWithoutAppointment { get; set; } = TimeSpan.FromDays(90);
}

/// <summary>
/// The customers' lists keep what the shards keep: a booking that never became an appointment (rejected or
/// expired) leaves the list <c>Retention:EndedWithoutAppointment</c> (90 days) after it ended, as it leaves its
/// shard; confirmed and cancelled bookings stay. Runs at start and then daily; ages by the database's clock.
/// </summary>
public sealed class CustomerBookingsRetention(IServiceScopeFactory scopes, IOptions<RetentionOptions> options, TimeProvider clock,
    ILogger<CustomerBookingsRetention> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromDays(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var age = options.Value.EndedWithoutAppointment;
        using var timer = new PeriodicTimer(Interval, clock);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var db = scope.ServiceProvider.GetRequiredService<CustomerDbContext>();
                var removed = await db.CustomerBookings
                    .Where(b => (b.Status == BookingStatus.Rejected || b.Status == BookingStatus.Expired) && b.UpdatedAt < DateTimeOffset.UtcNow - age)
                    .ExecuteDeleteAsync(stoppingToken);
                logger.LogInformation("Retention removed {Count} rejected or expired bookings from the customers' lists", removed);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Applying retention to the customers' lists failed; trying again tomorrow");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
