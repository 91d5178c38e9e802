using ClinicBooking.Contracts.Consultations;

namespace ClinicBooking.WebApp.Components.Shared;

/// <summary>How an appointment takes place, in the words the pages use.</summary>
public static class Modes
{
    public static string Label(string? mode) => mode switch
    {
        ConsultationModes.Online => "Online (video call)",
        ConsultationModes.Either => "In person or online",
        _ => "In person",
    };

    /// <summary>A mode a search may ask for (in-person or online); anything else means either.</summary>
    public static string? Filter(string? value) => value is not null && ConsultationModes.Booked.Contains(value) ? value : null;
}
