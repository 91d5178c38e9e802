namespace ClinicBooking.ClinicService.Model;

/// <summary>Something deactivated rather than deleted (the disabled-entity pattern).</summary>
public interface IDeactivatable
{
    bool IsActive { get; set; }

    DateTimeOffset UpdatedAt { get; set; }
}
