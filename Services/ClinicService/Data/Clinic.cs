namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// A clinic, living in exactly one shard; its id names that shard (see <see cref="ClinicIds"/>).
/// Clinics are deactivated, never deleted (the disabled-entity pattern): <see cref="ActiveClinicId"/> is
/// the id while active and NULL when not, and active doctors and time slots reference it, so the database
/// itself refuses an active dependant of an inactive clinic.
/// </summary>
public sealed class Clinic : IDeactivatable
{
    public const int NameMaxLength = 200;
    public const int AddressMaxLength = 500;
    public const int TimeZoneMaxLength = 64;

    /// <summary>Assigned by the shard database (<c>next_clinic_id()</c>), which knows its shard number.</summary>
    public long Id { get; private set; }

    public required string Name { get; set; }

    /// <summary>IANA time zone id, e.g. Europe/Berlin; shifts are defined in this zone's local time.</summary>
    public required string TimeZone { get; set; }

    public string? Address { get; set; }

    /// <summary>
    /// How many upcoming bookings one customer may hold at this clinic; null: the platform's default
    /// (CustomerService's <c>BookingCaps:PerClinic</c>). The clinic's staff set it.
    /// </summary>
    public int? MaxActiveBookingsPerCustomer { get; set; }

    public const int MaxActiveBookingsLimit = 100;

    /// <summary>
    /// Whether a priced appointment is paid when it is booked: the slot is held while the patient pays, and the
    /// booking is confirmed when the payment succeeds (else it expires). Otherwise it is paid later or at the desk.
    /// </summary>
    public bool PayAtBooking { get; set; }

    public bool IsActive { get; set; } = true;

    public long? ActiveClinicId { get; private set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }
}
