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

    /// <summary>The customer may book, and the clinic asks for payment at booking: the slot stays held until they pay.</summary>
    [System.Text.Json.Serialization.JsonStringEnumMemberName("awaiting-payment")]
    AwaitingPayment = 5,
}

/// <summary>
/// How a status is written outside messages, in both services' databases and in problem details: its
/// lowercase name, words joined by hyphens (<c>awaiting-payment</c>). One place, so the column, its check
/// constraint and the readers cannot drift apart.
/// </summary>
public static class BookingStatusNames
{
    public static string ToName(this BookingStatus status) => status switch
    {
        BookingStatus.AwaitingPayment => "awaiting-payment",
        _ => status.ToString().ToLowerInvariant(),
    };

    public static BookingStatus Parse(string name) => Enum.Parse<BookingStatus>(name.Replace("-", ""), ignoreCase: true);

    /// <summary>Whether a booking in <paramref name="status"/> holds its slot: pending, awaiting payment or confirmed.</summary>
    public static bool IsActive(this BookingStatus status) =>
        status is BookingStatus.Pending or BookingStatus.AwaitingPayment or BookingStatus.Confirmed;

    /// <summary>The active statuses' names, for SQL filters.</summary>
    public const string ActiveSql = "('pending', 'awaiting-payment', 'confirmed')";

    /// <summary>Every status's name, e.g. for a check constraint or an error message.</summary>
    public static IEnumerable<string> All => Enum.GetValues<BookingStatus>().Select(ToName);
}

/// <summary>
/// Cell → CustomerService: may this customer book? Travels inside <see cref="VerifyCustomers"/> and is
/// answered with a <see cref="CustomerVerdict"/>. Carries the slot's details so that CustomerService could
/// list the pending booking without asking the shard: its customer's list shows it from then on. Times are
/// instants; <see cref="TimeZone"/> is the clinic's IANA zone, in which every booking time is shown.
/// <see cref="BookedBy"/> says who made the booking (<see cref="Bookers"/>): the clinic's staff may book only
/// for the clinic's own patients, and the caps on a customer's upcoming bookings apply to bookings by customers
/// and staff (<see cref="ClinicCap"/>: the clinic's own cap, or null for the platform's default per clinic).
/// </summary>
public sealed record VerifyCustomer(
    long BookingId, long CustomerId, long ClinicId, long BookingSlotId, long DoctorId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset HoldExpiresAt, DateTimeOffset RequestedAt,
    string TimeZone, string BookedBy = Bookers.Customer, int? ClinicCap = null)
{
    public bool BookedByStaff => BookedBy == Bookers.Staff;
}

/// <summary>Who made a booking. Stored on the booking; the names travel in messages, so they never change.</summary>
public static class Bookers
{
    /// <summary>The customer, for themselves.</summary>
    public const string Customer = "customer";

    /// <summary>The clinic's staff, for one of its patients (at the desk, on the phone).</summary>
    public const string Staff = "staff";

    /// <summary>An administrator: exempt from the caps on upcoming bookings.</summary>
    public const string Administrator = "administrator";

    public static readonly string[] All = [Customer, Staff, Administrator];
}

/// <summary>
/// Who cancelled a booking, as its reason says (and the messages carry): the customer, the clinic's staff or an
/// administrator. A cancel by deactivation carries <see cref="CustomerStatusChanged.DeactivatedReason"/>.
/// </summary>
public static class CancelReasons
{
    public const string ByCustomer = "cancelled-by-customer";
    public const string ByClinic = "cancelled-by-clinic";
    public const string ByAdministrator = "cancelled-by-administrator";

    /// <summary>The clinic cancelled because the doctor is unavailable that day (an absence its staff marked).</summary>
    public const string DoctorAbsent = "doctor-absent";
}

/// <summary>
/// CustomerService's answer to one <see cref="VerifyCustomer"/>: the customer may book when
/// <see cref="RejectionReason"/> is null; otherwise it says why not (<see cref="UnknownCustomer"/>,
/// <see cref="InactiveCustomer"/>, <see cref="NotVerified"/>).
/// </summary>
public sealed record CustomerVerdict(long BookingId, long CustomerId, string? RejectionReason)
{
    public const string UnknownCustomer = "unknown-customer";
    public const string InactiveCustomer = "inactive-customer";

    /// <summary>The clinic's staff booked for a customer who is not the clinic's patient (or no customer at all: the same answer).</summary>
    public const string NotVerified = "customer-not-verified";

    /// <summary>The customer already holds as many upcoming bookings as allowed (at the clinic, or in all).</summary>
    public const string TooManyBookings = "too-many-upcoming-bookings";
}

/// <summary>
/// Cell → CustomerService: a booking changed status. <see cref="Revision"/> grows with every change of one
/// booking, so a consumer that sees messages late or twice keeps the newest and ignores the rest. A booking
/// starts at revision 1 (pending), which <see cref="VerifyCustomer"/> stands for. <see cref="Mode"/> says whether
/// the appointment is in person or online (<see cref="ClinicBooking.Contracts.Consultations.ConsultationModes"/>);
/// a message from before modes existed reads as in person. <see cref="Price"/> is what it costs (null: free, as
/// a message from before prices existed reads). <see cref="PaymentDueBy"/> is set while the booking awaits payment
/// (<see cref="BookingStatus.AwaitingPayment"/>): the slot is held until then, and after it the booking expires.
/// </summary>
public sealed record BookingStatusChanged(
    long BookingId, long CustomerId, long ClinicId, long? BookingSlotId, long DoctorId,
    DateTimeOffset StartsAt, DateTimeOffset EndsAt, BookingStatus Status, int Revision, DateTimeOffset ChangedAt,
    string? Reason, string TimeZone, string Mode = ClinicBooking.Contracts.Consultations.ConsultationModes.InPerson,
    ClinicBooking.Contracts.Payments.Price? Price = null, DateTimeOffset? PaymentDueBy = null)
{
    public bool IsOnline => Mode == ClinicBooking.Contracts.Consultations.ConsultationModes.Online;
}

/// <summary>
/// CustomerService → every cell (published): a customer was deactivated or reactivated at <see cref="ChangedAt"/>.
/// A cell ends a deactivated customer's future bookings (cancels confirmed ones, rejects pending ones) and
/// confirms none for them after; with
/// <see cref="ChangedAt"/> it keeps the newest of several changes, whatever order they arrive in.
/// </summary>
public sealed record CustomerStatusChanged(long CustomerId, bool IsActive, DateTimeOffset ChangedAt)
{
    /// <summary>The reason a cell writes on the bookings it cancels for a deactivated customer.</summary>
    public const string DeactivatedReason = "customer-deactivated";
}

/// <summary>
/// CustomerService → NotificationService (published): how to reach a customer, as they are when it is sent,
/// stamped with the time of the change that wrote it (the database's clock). Written when a customer is
/// created and whenever their name, email, phone or standing changes; a consumer keeps the newest. Only the
/// service that sends people messages subscribes: the cells never receive contact details.
/// </summary>
public sealed record CustomerContactChanged(long CustomerId, string Name, string Email, string? Phone, bool IsActive, DateTimeOffset ChangedAt);

/// <summary>
/// PaymentService → every cell (published): a booking awaiting payment was paid (card payment
/// <see cref="PaymentId"/>, captured at <see cref="PaidAt"/>). The cell that owns it confirms it if it is still awaiting
/// payment; a booking that ended meanwhile (its hold ran out, it was cancelled) stays as it is, and PaymentService
/// returns the money (it hears of the end from the booking's status change).
/// </summary>
public sealed record BookingPaid(long BookingId, long ClinicId, long PaymentId, DateTimeOffset PaidAt);

// What travels over RabbitMQ: batches. A cell sends whatever its outbox has ready as one message per kind
// while the previous one is on its way, so at one booking at a time a batch holds one item, and under load
// the broker, MassTransit's pipelines and the consumers' statements cost once per batch, not once per
// booking. Each item keeps its own trace, so a booking is still one trace end to end.

/// <summary>
/// One item of a batch: the message, the W3C traceparent of the change that wrote it (its booking's trace),
/// and the outbox row's id for it, which stays the same however often the item is resent.
/// </summary>
public sealed record Traced<T>(Guid MessageId, T Message, string? TraceParent);

/// <summary>Cell → CustomerService: questions, answered with one <see cref="CustomerVerdicts"/> to the cell's response address.</summary>
public sealed record VerifyCustomers(IReadOnlyList<Traced<VerifyCustomer>> Requests);

/// <summary>CustomerService → the cell that asked: a verdict per question.</summary>
public sealed record CustomerVerdicts(IReadOnlyList<Traced<CustomerVerdict>> Verdicts);

/// <summary>Cell → CustomerService: status changes, for the customers' bookings read model.</summary>
public sealed record BookingStatusChanges(IReadOnlyList<Traced<BookingStatusChanged>> Changes);
