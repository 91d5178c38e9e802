namespace ClinicBooking.CustomerService.Data;

/// <summary>
/// A customer a clinic may know: the person booked there themselves, or the clinic's staff proved at the desk
/// that they already know the person (their email and phone together). Only through this row do a clinic's
/// staff see a customer's contact details or book for them; a customer id alone proves nothing.
/// </summary>
public sealed class ClinicPatient
{
    public const string ViaBooking = "booking";
    public const string ViaDesk = "desk";

    public long ClinicId { get; set; }

    public long CustomerId { get; set; }

    /// <summary>How the relationship began: <see cref="ViaBooking"/> or <see cref="ViaDesk"/>.</summary>
    public string Via { get; set; } = ViaBooking;

    public DateTimeOffset Since { get; set; }
}
