using ClinicBooking.CustomerService.Customers;
using ClinicBooking.CustomerService.Data;
using ClinicBooking.Messages;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.AspNetCore.Mvc;
using NodaTime;

namespace ClinicBooking.CustomerService.Bookings;

/// <summary>
/// A customer's bookings across all clinics, from the read model the booking saga keeps here; no request
/// goes to the shards. It trails the owning cell by the time a message takes (usually milliseconds).
/// </summary>
public static class CustomerBookingsApi
{
    public static IEndpointRouteBuilder MapCustomerBookingsApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/customers/{id:long}/bookings", ListCustomerBookings).WithTags("Customers").WithName("ListCustomerBookings")
            .CustomerSelf("id")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    /// <summary>Narrows a customer's bookings to one status (its lowercase name).</summary>
    public sealed record StatusFilter([FromQuery(Name = "status")] string? Status)
    {
        public BookingStatus? Value => Status is null ? null : BookingStatusNames.Parse(Status);
    }

    public sealed class StatusFilterValidator : RequestValidator<StatusFilter>
    {
        public StatusFilterValidator() =>
            RuleFor(f => f.Status)
                .Must(status => Enum.TryParse<BookingStatus>(status, ignoreCase: true, out _) && !int.TryParse(status, out _))
                .When(f => f.Status is not null)
                .WithMessage($"status must be one of {string.Join(", ", BookingStatusNames.All)}.");
    }

    /// <summary>Newest appointment first.</summary>
    public static async Task<Ok<PagedResult<CustomerBookingResponse>>> ListCustomerBookings(
        long id, [AsParameters] StatusFilter filter, [AsParameters] PageRequest page, CustomerDbContext db, CancellationToken ct)
    {
        if (!await db.Customers.AnyAsync(c => c.Id == id, ct))
        {
            throw CustomersApi.CustomerNotFound(id);
        }
        var query = db.CustomerBookings.AsNoTracking().Where(b => b.CustomerId == id);
        if (filter.Value is { } only)
        {
            query = query.Where(b => b.Status == only);
        }
        var total = await query.LongCountAsync(ct);
        var items = await query.OrderByDescending(b => b.StartsAt).ThenByDescending(b => b.BookingId)
            .Skip(page.Skip).Take(page.PageSize)
            .ToListAsync(ct);
        return TypedResults.Ok(new PagedResult<CustomerBookingResponse>(page.PageIndex, page.PageSize, total,
            items.Select(b => b.ToResponse()).ToList()));
    }
}

public static class CustomerBookingResponses
{
    /// <summary>The booking's times in the clinic's time zone, with the offset in force then, and its clinic-local date.</summary>
    public static CustomerBookingResponse ToResponse(this CustomerBooking b)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(b.TimeZone) ?? DateTimeZone.Utc;
        var starts = Instant.FromDateTimeOffset(b.StartsAt).InZone(zone);
        return new(b.BookingId, b.ClinicId, b.BookingSlotId, b.DoctorId, starts.Date.ToDateOnly(),
            starts.ToDateTimeOffset(), Instant.FromDateTimeOffset(b.EndsAt).InZone(zone).ToDateTimeOffset(), zone.Id,
            b.Status, b.UpdatedAt);
    }
}
