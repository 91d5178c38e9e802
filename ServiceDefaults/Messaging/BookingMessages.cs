namespace ClinicBooking.Messages;

// The booking saga's messages between a clinic cell and CustomerService. MassTransit names a message by
// namespace and type (urn:message:ClinicBooking.Messages:VerifyCustomer), so both sides share these records
// and a rename is a breaking change on the wire.

/// <summary>Where a booking stands. The numbers travel in messages, so they never change.</summary>
public enum BookingStatus
{
    Pending = 0,
    Confirmed = 1,
    Rejected = 2,
    Cancelled = 3,
    Expired = 4,
}

/// <summary>
/// How a status is written outside messages, in both services' databases and in problem details: its
/// lowercase name. One place, so the column, its check constraint and the readers cannot drift apart.
/// </summary>
public static class BookingStatusNames
{
    public static string ToName(this BookingStatus status) => status.ToString().ToLowerInvariant();

    public static BookingStatus Parse(string name) => Enum.Parse<BookingStatus>(name, ignoreCase: true);

    /// <summary>Every status's name, e.g. for a check constraint or an error message.</summary>
    public static IEnumerable<string> All => Enum.GetValues<BookingStatus>().Select(ToName);

    /// <summary>A check constraint's condition: <paramref name="column"/> holds one of the names.</summary>
    public static string CheckSql(string column) => $"{column} IN ({string.Join(", ", All.Select(n => $"'{n}'"))})";
}

/// <summary>
/// Cell → CustomerService: may this customer book? Answered with <see cref="CustomerVerified"/> or
/// <see cref="CustomerRejected"/> to the response address of the cell that asked. Carries the slot's
/// details so that CustomerService can list the pending booking without asking the shard.
/// </summary>
public sealed record VerifyCustomer(
    long BookingId, long CustomerId, long ClinicId, long BookingSlotId, long DoctorId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset HoldExpiresAt);

public sealed record CustomerVerified(long BookingId, long CustomerId);

/// <summary>Why a customer may not book: <see cref="UnknownCustomer"/> or <see cref="InactiveCustomer"/>.</summary>
public sealed record CustomerRejected(long BookingId, long CustomerId, string Reason)
{
    public const string UnknownCustomer = "unknown-customer";
    public const string InactiveCustomer = "inactive-customer";
}

/// <summary>
/// Cell → CustomerService: a booking changed status. <see cref="Revision"/> grows with every change of one
/// booking, so a consumer that sees messages late or twice keeps the newest and ignores the rest.
/// </summary>
public sealed record BookingStatusChanged(
    long BookingId, long CustomerId, long ClinicId, long? BookingSlotId, long DoctorId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, BookingStatus Status, int Revision, DateTimeOffset ChangedAt,
    string? Reason);
