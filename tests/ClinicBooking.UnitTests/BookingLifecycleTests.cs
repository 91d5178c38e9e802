using ClinicBooking.ClinicService.Bookings;
using ClinicBooking.Messages;

namespace ClinicBooking.UnitTests;

/// <summary>
/// Issue 27, finding 2: the booking lifecycle is one table, and every state and event pair is either one of
/// its transitions or refused. The saga applies the table as it is (its statements take the rows as
/// parameters), so what this test reads is what the shards do.
/// </summary>
public class BookingLifecycleTests
{
    private static readonly BookingStatus?[] States = [null, .. Enum.GetValues<BookingStatus>().Cast<BookingStatus?>()];

    // Every combination of conditions a booking can be in: the hold running or over, the appointment started
    // or not, the customer known to be inactive or not, payment due at booking or not.
    private static readonly BookingGuard[] Situations =
        [.. from hold in new[] { BookingGuard.HoldRunning, BookingGuard.HoldOver }
            from start in new[] { BookingGuard.NotStarted, BookingGuard.None }
            from customer in new[] { BookingGuard.CustomerInactive, BookingGuard.CustomerNotInactive }
            from payment in new[] { BookingGuard.PaymentDue, BookingGuard.NoPaymentDue }
            select hold | start | customer | payment];

    /// <summary>The lifecycle as a reader would write it down: (event, from) → to, for the situations it needs.</summary>
    private static readonly Dictionary<(BookingEvent, BookingStatus?), Func<BookingGuard, BookingStatus?>> Expected = new()
    {
        [(BookingEvent.Requested, null)] = _ => BookingStatus.Pending,
        [(BookingEvent.CustomerVerified, BookingStatus.Pending)] = g => !g.HasFlag(BookingGuard.HoldRunning) ? null
            : g.HasFlag(BookingGuard.CustomerInactive) ? BookingStatus.Rejected
            : g.HasFlag(BookingGuard.PaymentDue) ? BookingStatus.AwaitingPayment : BookingStatus.Confirmed,
        [(BookingEvent.CustomerRefused, BookingStatus.Pending)] = _ => BookingStatus.Rejected,
        // Paid while still awaiting payment: confirmed, unless the customer was deactivated meanwhile.
        [(BookingEvent.PaymentReceived, BookingStatus.AwaitingPayment)] = g => g.HasFlag(BookingGuard.CustomerInactive) ? null : BookingStatus.Confirmed,
        [(BookingEvent.HoldRanOut, BookingStatus.Pending)] = g => g.HasFlag(BookingGuard.HoldOver) ? BookingStatus.Expired : null,
        [(BookingEvent.HoldRanOut, BookingStatus.AwaitingPayment)] = g => g.HasFlag(BookingGuard.HoldOver) ? BookingStatus.Expired : null,
        [(BookingEvent.CancelRequested, BookingStatus.Pending)] = g => g.HasFlag(BookingGuard.NotStarted) ? BookingStatus.Cancelled : null,
        [(BookingEvent.CancelRequested, BookingStatus.AwaitingPayment)] = g => g.HasFlag(BookingGuard.NotStarted) ? BookingStatus.Cancelled : null,
        [(BookingEvent.CancelRequested, BookingStatus.Confirmed)] = g => g.HasFlag(BookingGuard.NotStarted) ? BookingStatus.Cancelled : null,
        [(BookingEvent.CustomerDeactivated, BookingStatus.Pending)] = g =>
            g.HasFlag(BookingGuard.NotStarted) && g.HasFlag(BookingGuard.CustomerInactive) ? BookingStatus.Rejected : null,
        [(BookingEvent.CustomerDeactivated, BookingStatus.AwaitingPayment)] = g =>
            g.HasFlag(BookingGuard.NotStarted) && g.HasFlag(BookingGuard.CustomerInactive) ? BookingStatus.Cancelled : null,
        [(BookingEvent.CustomerDeactivated, BookingStatus.Confirmed)] = g =>
            g.HasFlag(BookingGuard.NotStarted) && g.HasFlag(BookingGuard.CustomerInactive) ? BookingStatus.Cancelled : null,
    };

    [Fact]
    public void Every_state_and_event_is_a_declared_transition_or_refused()
    {
        foreach (var @event in Enum.GetValues<BookingEvent>())
        {
            foreach (var from in States)
            {
                foreach (var situation in Situations)
                {
                    // Next() throws if two rows matched: at most one transition per situation.
                    var next = BookingLifecycle.Next(from, @event, situation)?.To;
                    var expected = Expected.TryGetValue((@event, from), out var rule) ? rule(situation) : null;
                    Assert.True(expected == next, $"{@event} on {from?.ToString() ?? "(new)"} when {situation}: expected {expected?.ToString() ?? "refused"}, the lifecycle says {next?.ToString() ?? "refused"}.");
                }
            }
        }
    }

    [Fact]
    public void Ended_bookings_never_move_and_each_transition_says_what_it_records_and_sends()
    {
        BookingStatus[] ended = [BookingStatus.Rejected, BookingStatus.Cancelled, BookingStatus.Expired];
        Assert.DoesNotContain(BookingLifecycle.Transitions, t => t.From is { } from && ended.Contains(from));
        Assert.All(BookingLifecycle.Transitions, t =>
        {
            Assert.Equal(t.From is null ? "booking.created" : $"booking.{t.To.ToName()}", t.AuditAction);
            Assert.Equal(t.From is null ? nameof(VerifyCustomer) : nameof(BookingStatusChanged), t.Message);
            Assert.EndsWith("_at", t.Stamp);
        });
        // Callers (customers, staff, administrators) book and cancel; everything else is the saga's.
        Assert.Equal([BookingEvent.Requested, BookingEvent.CancelRequested],
            BookingLifecycle.Transitions.Where(t => t.By == BookingCause.Caller).Select(t => t.Event).Distinct());
    }
}
