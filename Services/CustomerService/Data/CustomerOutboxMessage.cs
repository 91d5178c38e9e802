namespace ClinicBooking.CustomerService.Data;

/// <summary>
/// A message about a customer, in CustomerService's outbox (<see cref="OutboxMessage"/>): written in the same
/// transaction as the change (see <see cref="CustomerDbContext"/>), so a crash cannot lose it, and built from the
/// customer as they are when sent (<c>Customers/CustomerOutbox.cs</c>).
/// </summary>
public sealed class CustomerOutboxMessage : OutboxMessage
{
    public CustomerMessageKind Kind { get; set; }

    public long CustomerId { get; set; }

    /// <summary>Set when the customer is new in the same save: the database gives both their ids in one go.</summary>
    public Customer? Customer { get; set; }
}

/// <summary>The messages CustomerService's outbox holds; stored by name.</summary>
public enum CustomerMessageKind
{
    /// <summary>CustomerService → cells: the customer's standing changed (Messages.CustomerStatusChanged).</summary>
    CustomerStatusChanged,

    /// <summary>CustomerService → NotificationService: how to reach the customer (Messages.CustomerContactChanged).</summary>
    CustomerContactChanged,
}
