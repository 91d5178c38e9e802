using ClinicBooking.Contracts.Access;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Messages;
using ClinicBooking.Contracts.Consultations;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>
/// Book a slot for a customer (body of <c>PUT /bookingSlots/{id}/booking</c>), in person or online (<c>mode</c>):
/// left out, as the slot offers it (in person where it offers either); a mode the slot does not offer is refused.
/// </summary>
/// Every caller who may book may name the customer; which customers each may name is the handler's rule.
public sealed record BookSlotRequest(
    [property: SetBy(Roles.Customer, Roles.Staff, Roles.Administrator)] long? CustomerId,
    [property: SetBy(Roles.Customer, Roles.Staff, Roles.Administrator)] string? Mode = null);

public sealed class BookSlotRequestValidator : RequestValidator<BookSlotRequest>
{
    public BookSlotRequestValidator()
    {
        RuleFor(r => r.CustomerId).GreaterThan(0).WithMessage("customerId must be the id of the customer the slot is booked for.");
        RuleFor(r => r.Mode).Must(mode => mode is null || ConsultationModes.Booked.Contains(mode))
            .WithMessage($"mode must be one of: {string.Join(", ", ConsultationModes.Booked)}.");
    }
}


/// <summary>The problems of a booking request that did not end in a booking, with the booking they concern.</summary>
public static class BookingProblems
{
    public static ProblemException KeyReused(Booking earlier) => ProblemException.Unprocessable(
        $"This Idempotency-Key was already used to book slot {earlier.BookingSlotId} for another customer; use a new key for a new request.",
        Extensions(earlier));

    /// <summary>The booking this request made ended without a booking: rejected, expired or cancelled.</summary>
    public static ProblemException Ended(Booking booking) => booking.Status switch
    {
        BookingStatus.Rejected => ProblemException.Unprocessable(booking.Reason switch
        {
            CustomerVerdict.UnknownCustomer => $"Customer {booking.CustomerId} does not exist; the slot was released.",
            CustomerVerdict.InactiveCustomer => $"Customer {booking.CustomerId} is not active; the slot was released.",
            // The same words whether the id exists or not: a clinic cannot probe for customers by booking.
            CustomerVerdict.NotVerified => $"Customer {booking.CustomerId} is not a patient of this clinic: look the patient up by " +
                "email and phone (POST /clinics/{clinicId}/patients/lookup) or let them book themselves; the slot was released.",
            CustomerVerdict.TooManyBookings => $"Customer {booking.CustomerId} already holds as many upcoming bookings as allowed " +
                "(at this clinic, or in all); cancel one before booking another. The slot was released.",
            var other => $"Customer {booking.CustomerId} may not book ({other}); the slot was released.",
        }, Extensions(booking)),
        // The customer's deactivation reached the cell while the booking waited for its verdict.
        BookingStatus.Cancelled when booking.Reason == CustomerStatusChanged.DeactivatedReason => ProblemException.Unprocessable(
            $"Customer {booking.CustomerId} is not active; the slot was released.", Extensions(booking)),
        BookingStatus.Expired => ProblemException.Conflict(
            $"Booking {booking.Id} expired before the customer could be verified; the slot was released.", Extensions(booking)),
        _ => ProblemException.Conflict($"Booking {booking.Id} made by this request has been cancelled.", Extensions(booking)),
    };

    private static Dictionary<string, object?> Extensions(Booking booking) => new()
    {
        ["bookingId"] = booking.Id,
        ["bookingStatus"] = booking.Status.ToName(),
        ["reason"] = booking.Reason,
    };
}

public static class BookingResponses
{
    public static BookingResponse ToResponse(this Booking b, string timeZone)
    {
        var history = new List<BookingHistoryEntry> { new(BookingStatus.Pending, b.CreatedAt) };
        if (b.AwaitingPaymentAt is { } asked) history.Add(new(BookingStatus.AwaitingPayment, asked));
        if (b.ConfirmedAt is { } confirmed) history.Add(new(BookingStatus.Confirmed, confirmed));
        if (b.RejectedAt is { } rejected) history.Add(new(BookingStatus.Rejected, rejected));
        if (b.ExpiredAt is { } expired) history.Add(new(BookingStatus.Expired, expired));
        if (b.CancelledAt is { } cancelled) history.Add(new(BookingStatus.Cancelled, cancelled));
        return new(b.Id, b.BookingSlotId, b.ClinicId, b.DoctorId, b.CustomerId,
            SlotTimes.ToClinicTime(b.StartsAt, timeZone), SlotTimes.ToClinicTime(b.EndsAt, timeZone), b.Status, b.Reason,
            b.Status is BookingStatus.Pending or BookingStatus.AwaitingPayment ? SlotTimes.ToClinicTime(b.ExpiresAt, timeZone) : null, history, b.Mode, Contracts.Payments.Price.Of(b.PriceAmount, b.PriceCurrency));
    }

    public static BookingResponse ToResponse(this BookingSaga.Outcome outcome) => outcome.Booking.ToResponse(outcome.TimeZone);
}
