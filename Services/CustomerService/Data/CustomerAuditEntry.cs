namespace ClinicBooking.CustomerService.Data;

/// <summary>
/// One change of a customer's record and who made it, saved in the same transaction as the change
/// (<see cref="CustomerDbContext.SaveChangesAsync(bool, CancellationToken)"/>): there is no change without its
/// record. The detail of an update names the fields that changed (never their values: the record holds them).
/// </summary>
public sealed class CustomerAuditEntry : AuditEntry
{
    public static readonly string[] Actions = ["customer.created", "customer.updated", "customer.deactivated", "customer.reactivated"];

    public long CustomerId { get; set; }

    public Customer? Customer { get; set; }
}
