using ClinicBooking.CustomerService.Infrastructure;
using ClinicBooking.Messages;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.CustomerService.Apis;

/// <summary>
/// A customer's bookings across all clinics, from the read model the booking saga keeps here; no request
/// goes to the shards. It trails the owning cell by the time a message takes (usually milliseconds).
/// </summary>
public static class CustomerBookingsApi
{
    public static IEndpointRouteBuilder MapCustomerBookingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/customers/{id:long}/bookings", ListCustomerBookings).WithTags("Customers").WithName("ListCustomerBookings");
        return app;
    }

    /// <summary>Newest appointment first; <paramref name="status"/> narrows to one status.</summary>
    public static async Task<Results<Ok<PagedResult<CustomerBookingResponse>>, ValidationProblem, ProblemHttpResult>> ListCustomerBookings(
        long id, CustomerDbContext db, CancellationToken ct,
        string? status = null, int pageIndex = 0, int pageSize = Paging.DefaultPageSize)
    {
        var errors = Paging.Validate(pageIndex, pageSize);
        BookingStatus? wanted = null;
        if (status is not null)
        {
            if (Enum.TryParse<BookingStatus>(status, ignoreCase: true, out var parsed) && !int.TryParse(status, out _))
            {
                wanted = parsed;
            }
            else
            {
                errors["status"] = [$"status must be one of {string.Join(", ", BookingStatusNames.All)}."];
            }
        }
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (!await db.Customers.AnyAsync(c => c.Id == id, ct))
        {
            return CustomersApi.CustomerNotFound(id);
        }
        var query = db.CustomerBookings.AsNoTracking().Where(b => b.CustomerId == id);
        if (wanted is { } only)
        {
            query = query.Where(b => b.Status == only);
        }
        var total = await query.LongCountAsync(ct);
        var page = await query.OrderByDescending(b => b.StartsAt).ThenByDescending(b => b.BookingId)
            .Skip(pageIndex * pageSize).Take(pageSize)
            .ToListAsync(ct);
        return TypedResults.Ok(new PagedResult<CustomerBookingResponse>(pageIndex, pageSize, total,
            page.Select(CustomerBookingResponse.From).ToList()));
    }
}
