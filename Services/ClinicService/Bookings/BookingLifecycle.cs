using ClinicBooking.Messages;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>What can happen to a booking.</summary>
public enum BookingEvent
{
    /// <summary>Someone books a free, future slot (a customer for themselves, staff for a patient, an administrator).</summary>
    Requested,

    /// <summary>CustomerService's verdict: the customer may book.</summary>
    CustomerVerified,

    /// <summary>CustomerService's verdict: the customer may not book (its reason goes with the booking).</summary>
    CustomerRefused,

    /// <summary>Nobody decided before the hold's deadline.</summary>
    HoldRanOut,

    /// <summary>The customer, the clinic's staff or an administrator cancels.</summary>
    CancelRequested,

    /// <summary>CustomerService: the customer was deactivated.</summary>
    CustomerDeactivated,

    /// <summary>PaymentService: the booking awaiting payment was paid.</summary>
    PaymentReceived,
}

/// <summary>Who causes an event: a caller of the API (the endpoint's own rule says which), or the saga itself.</summary>
public enum BookingCause
{
    Caller,
    Saga,
}

/// <summary>A condition a transition needs besides the booking's status, checked in the same statement.</summary>
[Flags]
public enum BookingGuard
{
    None = 0,

    /// <summary>The hold's deadline has not passed (a late "yes" is the expiry sweep's, not a confirmation).</summary>
    HoldRunning = 1,

    /// <summary>The hold's deadline has passed.</summary>
    HoldOver = 2,

    /// <summary>The appointment has not started.</summary>
    NotStarted = 4,

    /// <summary>The shard has heard that the customer is deactivated (<c>customer_standings</c>).</summary>
    CustomerInactive = 8,

    /// <summary>The shard has not heard that the customer is deactivated.</summary>
    CustomerNotInactive = 16,

    /// <summary>The booking is paid when booked (its clinic takes payment at booking, and it has a price).</summary>
    PaymentDue = 32,

    /// <summary>The booking is not paid when booked (paid later, at the desk, or free).</summary>
    NoPaymentDue = 64,
}

/// <summary>
/// One step of a booking's life: on <see cref="Event"/>, a booking in <see cref="From"/> (none: a new booking)
/// whose <see cref="Guards"/> hold moves to <see cref="To"/>, stamped in <see cref="Stamp"/> with the database's
/// clock, with <see cref="Reason"/> (else the event's own, e.g. the verdict's), audited as <see cref="AuditAction"/>,
/// and with <see cref="Message"/> to CustomerService in the same statement. A move to awaiting payment sets a new
/// hold deadline (<c>Booking:PaymentHold</c> from then): the time the patient has to pay.
/// </summary>
public sealed record BookingTransition(
    BookingEvent Event, BookingStatus? From, BookingStatus To, BookingGuard Guards, BookingCause By, string? Reason = null)
{
    /// <summary>Whether the transition gives the booking a new deadline: the payment hold.</summary>
    public bool HoldsForPayment => To == BookingStatus.AwaitingPayment;

    /// <summary>The column stamped with the transition's time.</summary>
    public string Stamp => To switch
    {
        BookingStatus.Pending => "created_at",
        BookingStatus.AwaitingPayment => "awaiting_payment_at",
        BookingStatus.Confirmed => "confirmed_at",
        BookingStatus.Rejected => "rejected_at",
        BookingStatus.Cancelled => "cancelled_at",
        BookingStatus.Expired => "expired_at",
        _ => throw new ArgumentOutOfRangeException(nameof(To)),
    };

    /// <summary>The audit record's action.</summary>
    public string AuditAction => From is null ? "booking.created" : $"booking.{To.ToName()}";

    /// <summary>The message the transition sends: the question for a new booking, the new status for the others.</summary>
    public string Message => From is null ? nameof(VerifyCustomer) : nameof(BookingStatusChanged);
}

/// <summary>
/// The booking lifecycle, whole and in one place. Every transition the saga makes (<see cref="BookingSaga"/>) is a
/// row of <see cref="Transitions"/>, applied by one conditional statement that only a booking in the row's state,
/// passing its guards, gets through; every other state and event pair changes nothing (refused). The shard's
/// triggers (<c>ShardSchema.Bookings</c>) hold the same forward-only rule whatever the code does.
/// <code>
/// event                from              to                guards                                        by      reason
/// Requested            (new)             pending           (slot free and future)                        caller
/// CustomerVerified     pending           confirmed         hold running, customer active, no payment due saga
/// CustomerVerified     pending           awaiting-payment  hold running, customer active, payment due    saga    (new deadline)
/// CustomerVerified     pending           rejected          hold running, customer inactive               saga    inactive-customer
/// CustomerRefused      pending           rejected                                                        saga    (the verdict's)
/// PaymentReceived      awaiting-payment  confirmed         customer active                               saga
/// HoldRanOut           pending           expired           hold over                                     saga
/// HoldRanOut           awaiting-payment  expired           hold over                                     saga
/// CancelRequested      pending           cancelled         not started                                   caller
/// CancelRequested      awaiting-payment  cancelled         not started                                   caller
/// CancelRequested      confirmed         cancelled         not started                                   caller
/// CustomerDeactivated  pending           rejected          not started, customer inactive                saga    inactive-customer
/// CustomerDeactivated  awaiting-payment  cancelled         not started, customer inactive                saga    customer-deactivated
/// CustomerDeactivated  confirmed         cancelled         not started, customer inactive                saga    customer-deactivated
/// </code>
/// A payment that comes while the booking still awaits it confirms it, even a moment past its deadline (the
/// provider's page closes with the hold); once the hold ran out and the booking expired, it stays expired and
/// PaymentService returns the money.
/// </summary>
public static class BookingLifecycle
{
    public static readonly IReadOnlyList<BookingTransition> Transitions =
    [
        new(BookingEvent.Requested, null, BookingStatus.Pending, BookingGuard.None, BookingCause.Caller),
        new(BookingEvent.CustomerVerified, BookingStatus.Pending, BookingStatus.Confirmed,
            BookingGuard.HoldRunning | BookingGuard.CustomerNotInactive | BookingGuard.NoPaymentDue, BookingCause.Saga),
        new(BookingEvent.CustomerVerified, BookingStatus.Pending, BookingStatus.AwaitingPayment,
            BookingGuard.HoldRunning | BookingGuard.CustomerNotInactive | BookingGuard.PaymentDue, BookingCause.Saga),
        new(BookingEvent.CustomerVerified, BookingStatus.Pending, BookingStatus.Rejected,
            BookingGuard.HoldRunning | BookingGuard.CustomerInactive, BookingCause.Saga, CustomerVerdict.InactiveCustomer),
        new(BookingEvent.CustomerRefused, BookingStatus.Pending, BookingStatus.Rejected, BookingGuard.None, BookingCause.Saga),
        new(BookingEvent.PaymentReceived, BookingStatus.AwaitingPayment, BookingStatus.Confirmed, BookingGuard.CustomerNotInactive, BookingCause.Saga),
        new(BookingEvent.HoldRanOut, BookingStatus.Pending, BookingStatus.Expired, BookingGuard.HoldOver, BookingCause.Saga),
        new(BookingEvent.HoldRanOut, BookingStatus.AwaitingPayment, BookingStatus.Expired, BookingGuard.HoldOver, BookingCause.Saga),
        new(BookingEvent.CancelRequested, BookingStatus.Pending, BookingStatus.Cancelled, BookingGuard.NotStarted, BookingCause.Caller),
        new(BookingEvent.CancelRequested, BookingStatus.AwaitingPayment, BookingStatus.Cancelled, BookingGuard.NotStarted, BookingCause.Caller),
        new(BookingEvent.CancelRequested, BookingStatus.Confirmed, BookingStatus.Cancelled, BookingGuard.NotStarted, BookingCause.Caller),
        new(BookingEvent.CustomerDeactivated, BookingStatus.Pending, BookingStatus.Rejected,
            BookingGuard.NotStarted | BookingGuard.CustomerInactive, BookingCause.Saga, CustomerVerdict.InactiveCustomer),
        new(BookingEvent.CustomerDeactivated, BookingStatus.AwaitingPayment, BookingStatus.Cancelled,
            BookingGuard.NotStarted | BookingGuard.CustomerInactive, BookingCause.Saga, CustomerStatusChanged.DeactivatedReason),
        new(BookingEvent.CustomerDeactivated, BookingStatus.Confirmed, BookingStatus.Cancelled,
            BookingGuard.NotStarted | BookingGuard.CustomerInactive, BookingCause.Saga, CustomerStatusChanged.DeactivatedReason),
    ];

    /// <summary>The transitions <paramref name="event"/> can make.</summary>
    public static IReadOnlyList<BookingTransition> Of(BookingEvent @event) => [.. Transitions.Where(t => t.Event == @event)];

    /// <summary>Where <paramref name="event"/> takes a booking in <paramref name="from"/> whose conditions are <paramref name="holding"/>; null when it is refused (nothing changes).</summary>
    public static BookingTransition? Next(BookingStatus? from, BookingEvent @event, BookingGuard holding) =>
        Transitions.SingleOrDefault(t => t.Event == @event && t.From == from && (t.Guards & holding) == t.Guards);

    /// <summary>The new booking's transition.</summary>
    public static BookingTransition Request => Of(BookingEvent.Requested).Single();
}
