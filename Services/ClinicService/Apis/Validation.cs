using System.Globalization;
using ClinicBooking.ClinicService.Model;
using NodaTime;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>Field checks for clinic data; each returns the errors keyed by JSON property name.</summary>
public static class Validation
{
    public static void RequireText(Dictionary<string, string[]> errors, string field, string? value, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [$"{field} is required."];
        }
        else if (value.Trim().Length > maxLength)
        {
            errors[field] = [$"{field} must be at most {maxLength} characters."];
        }
    }

    public static Dictionary<string, string[]> Clinic(ClinicRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        RequireText(errors, "name", request.Name, Model.Clinic.NameMaxLength);
        if (string.IsNullOrWhiteSpace(request.TimeZone))
        {
            errors["timeZone"] = ["timeZone is required (an IANA time zone such as Europe/Berlin)."];
        }
        else if (DateTimeZoneProviders.Tzdb.GetZoneOrNull(request.TimeZone.Trim()) is null)
        {
            errors["timeZone"] = [$"'{request.TimeZone}' is not an IANA time zone such as Europe/Berlin."];
        }
        if (request.Address is { } address && address.Trim().Length > Model.Clinic.AddressMaxLength)
        {
            errors["address"] = [$"address must be at most {Model.Clinic.AddressMaxLength} characters."];
        }
        return errors;
    }

    public static Dictionary<string, string[]> Doctor(DoctorRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        RequireText(errors, "name", request.Name, Model.Doctor.NameMaxLength);
        RequireText(errors, "specialization", request.Specialization, Model.Doctor.SpecializationMaxLength);
        return errors;
    }

    public static (TimeOnly Start, TimeOnly End, Dictionary<string, string[]> Errors) TimeSlot(TimeSlotRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        RequireText(errors, "name", request.Name, Model.TimeSlot.NameMaxLength);
        var start = ParseTime(errors, "startTime", request.StartTime);
        var end = ParseTime(errors, "endTime", request.EndTime);
        if (start is { } s && end is { } e && e <= s)
        {
            errors["endTime"] = ["endTime must be after startTime; a shift ends on the day it starts."];
        }
        return (start ?? default, end ?? default, errors);
    }

    private static TimeOnly? ParseTime(Dictionary<string, string[]> errors, string field, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            errors[field] = [$"{field} is required, as HH:mm."];
            return null;
        }
        if (TimeOnly.TryParseExact(value.Trim(), ["HH:mm", "HH:mm:ss"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            return time;
        }
        errors[field] = [$"{field} must be a time of day as HH:mm, such as 09:30."];
        return null;
    }

    public static Dictionary<string, string[]> DoctorSlot(DoctorSlotRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.TimeSlotId is null)
        {
            errors["timeSlotId"] = ["timeSlotId is required."];
        }
        if (request.Weekday is < 1 or > 7)
        {
            errors["weekday"] = ["weekday must be 1 (Monday) to 7 (Sunday), or null for every day."];
        }
        return errors;
    }
}

/// <summary>Checks of a booking request.</summary>
public static class BookingValidation
{
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static Dictionary<string, string[]> Check(BookSlotRequest request, string? idempotencyKey)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.CustomerId is not > 0)
        {
            errors["customerId"] = ["customerId is required: the id of the customer the slot is booked for."];
        }
        if (idempotencyKey is not null
            && (idempotencyKey.Length is 0 or > Model.Booking.IdempotencyKeyMaxLength || idempotencyKey.Any(c => c is < '!' or > '~')))
        {
            errors[IdempotencyKeyHeader] = [$"The {IdempotencyKeyHeader} header must be 1 to {Model.Booking.IdempotencyKeyMaxLength} visible ASCII characters."];
        }
        return errors;
    }
}
