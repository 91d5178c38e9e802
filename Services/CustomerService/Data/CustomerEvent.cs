namespace ClinicBooking.CustomerService.Data;

/// <summary>
/// A change of a customer's standing (deactivated or reactivated) that the cells must hear of, written in the
/// same transaction as the change (see <see cref="CustomerDbContext"/>), so a crash cannot lose it; the
/// <c>CustomerEventsPublisher</c> publishes it and stamps <see cref="SentAt"/>.
/// </summary>
public sealed class CustomerEvent
{
    public long Id { get; init; }

    public long CustomerId { get; set; }

    public bool IsActive { get; set; }

    public DateTimeOffset ChangedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }
}
