namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// What this shard has heard of a customer's standing from CustomerService (<c>CustomerStatusChanged</c>): the
/// newest change wins. A booking of a customer known to be inactive is never confirmed (the saga rejects it,
/// and a trigger refuses it whatever the code does). Only customers who were ever deactivated have a row.
/// </summary>
public sealed class CustomerStanding
{
    public long CustomerId { get; set; }

    public bool IsActive { get; set; }

    public DateTimeOffset ChangedAt { get; set; }
}
