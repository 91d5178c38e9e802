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
            items.Select(CustomerBookingResponse.From).ToList()));
    }
}

/// <summary>
/// A customer's booking as listed by CustomerService: its times in the clinic's time zone (<see cref="TimeZone"/>,
/// with the offset in force then) and its clinic-local <see cref="Date"/>, exactly as the clinic's API shows them.
/// </summary>
public sealed record CustomerBookingResponse(
    long BookingId, long ClinicId, long? BookingSlotId, long DoctorId, DateOnly Date,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, string TimeZone, BookingStatus Status, DateTimeOffset UpdatedAt)
{
    public static CustomerBookingResponse From(CustomerBooking b)
    {
        var zone = DateTimeZoneProviders.Tzdb.GetZoneOrNull(b.TimeZone) ?? DateTimeZone.Utc;
        var starts = Instant.FromDateTimeOffset(b.StartsAt).InZone(zone);
        return new(b.BookingId, b.ClinicId, b.BookingSlotId, b.DoctorId, starts.Date.ToDateOnly(),
            starts.ToDateTimeOffset(), Instant.FromDateTimeOffset(b.EndsAt).InZone(zone).ToDateTimeOffset(), zone.Id,
            b.Status, b.UpdatedAt);
    }
}
