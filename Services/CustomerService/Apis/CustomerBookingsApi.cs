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
        BookingStatus? status = null, int pageIndex = 0, int pageSize = Paging.DefaultPageSize)
    {
        var errors = Paging.Validate(pageIndex, pageSize);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (!await db.Customers.AnyAsync(c => c.Id == id, ct))
        {
            return CustomersApi.CustomerNotFound(id);
        }
        var query = db.CustomerBookings.AsNoTracking().Where(b => b.CustomerId == id);
        if (status is { } wanted)
        {
            query = query.Where(b => b.Status == wanted);
        }
        var total = await query.LongCountAsync(ct);
        var page = await query.OrderByDescending(b => b.StartsAt).ThenByDescending(b => b.BookingId)
            .Skip(pageIndex * pageSize).Take(pageSize)
            .ToListAsync(ct);
        return TypedResults.Ok(new PagedResult<CustomerBookingResponse>(pageIndex, pageSize, total,
            page.Select(CustomerBookingResponse.From).ToList()));
    }
}
