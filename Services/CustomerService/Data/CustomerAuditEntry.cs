namespace ClinicBooking.CustomerService.Data;

/// <summary>
/// One change of a customer's record and who made it, saved in the same transaction as the change
/// (<see cref="CustomerDbContext.SaveChangesAsync(bool, CancellationToken)"/>): there is no change without its record.
/// </summary>
public sealed class CustomerAuditEntry
{
    public long Id { get; set; }

    public long CustomerId { get; set; }

    public Customer? Customer { get; set; }

    public DateTimeOffset At { get; set; }

    /// <summary>"roles:account id" of the caller, or "system" for changes no request made.</summary>
    public required string Actor { get; set; }

    /// <summary>customer.created, customer.updated, customer.deactivated or customer.reactivated.</summary>
    public required string Action { get; set; }

    /// <summary>For an update, the fields that changed (names only: the record itself holds the values).</summary>
    public string? Fields { get; set; }
}
