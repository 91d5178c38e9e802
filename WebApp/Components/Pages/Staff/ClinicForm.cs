namespace ClinicBooking.WebApp.Components.Pages.Staff;

/// <summary>A clinic's fields, as posted by the create and edit forms.</summary>
public sealed class ClinicForm
{
    public string? Name { get; set; }

    public string? TimeZone { get; set; }

    public string? Address { get; set; }

    /// <summary>The most upcoming appointments one patient may hold at the clinic; empty for the platform's default.</summary>
    public string? MaxActiveBookingsPerCustomer { get; set; }

    /// <summary>Whether a priced appointment is paid when it is booked (the checkbox posts "true" when ticked).</summary>
    public bool PayAtBooking { get; set; }

    /// <summary>The cap as the API takes it: a number, null when left empty; text that is no number is sent as 0, which the API refuses with its rule.</summary>
    public int? Cap => string.IsNullOrWhiteSpace(MaxActiveBookingsPerCustomer) ? null
        : int.TryParse(MaxActiveBookingsPerCustomer, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var cap) ? cap : 0;
}
