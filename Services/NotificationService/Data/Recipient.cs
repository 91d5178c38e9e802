namespace ClinicBooking.NotificationService.Data;

/// <summary>
/// How to reach a customer, as CustomerService last said (<c>CustomerContactChanged</c>): the newest change
/// wins, whatever order the messages arrive in. Kept here so that sending never waits on another service.
/// </summary>
public sealed class Recipient
{
    public long CustomerId { get; set; }

    public required string Name { get; set; }

    public required string Email { get; set; }

    public string? Phone { get; set; }

    public bool IsActive { get; set; }

    /// <summary>When the change this row reflects was made (CustomerService's database clock).</summary>
    public DateTimeOffset ChangedAt { get; set; }
}
