using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Bookings;

/// <summary>
/// The customers' lists keep what the shards keep: a booking that never became an appointment (rejected or
/// expired) leaves the list <c>Retention:EndedWithoutAppointment</c> (90 days) after it ended, as it leaves its
/// shard; confirmed and cancelled bookings stay.
/// </summary>
internal sealed class CustomerBookingsRetention(IServiceScopeFactory scopes) : IRetentionRule
{
    private const int BatchSize = 10_000;

    public string What => "rejected or expired bookings from the customers' lists";

    public async Task<long> ApplyAsync(RetentionOptions options, CancellationToken ct)
    {
        var age = options.EndedWithoutAppointment;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CustomerDbContext>();
        long total = 0;
        int removed;
        do
        {
            var batch = db.CustomerBookings
                .Where(b => (b.Status == BookingStatus.Rejected || b.Status == BookingStatus.Expired) && b.UpdatedAt < DateTimeOffset.UtcNow - age)
                .Select(b => b.BookingId).Take(BatchSize);
            removed = await db.CustomerBookings.Where(b => batch.Contains(b.BookingId)).ExecuteDeleteAsync(ct);
            total += removed;
        }
        while (removed == BatchSize);
        return total;
    }
}
