namespace ClinicBooking.WebApp.Components.Pages.Staff;

/// <summary>A doctor's fields, as posted by the add and edit forms.</summary>
public sealed class DoctorForm
{
    public string? Name { get; set; }

    public string? Specialization { get; set; }
}
