namespace ClinicBooking.WebApp.Components.Pages.Staff;

/// <summary>A clinic's fields, as posted by the create and edit forms.</summary>
public sealed class ClinicForm
{
    public string? Name { get; set; }

    public string? TimeZone { get; set; }

    public string? Address { get; set; }
}
