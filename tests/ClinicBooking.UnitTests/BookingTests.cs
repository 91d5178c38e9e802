using ClinicBooking.ClinicService.Bookings;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Outbox;
using ClinicBooking.Messages;

namespace ClinicBooking.UnitTests;

public class BookingTests
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 8, 0, 0, TimeSpan.Zero);

    private static Booking Booking(BookingStatus status) => new()
    {
        ClinicId = 64, Id = 7, BookingSlotId = 9, DoctorId = 5, CustomerId = 2, StartsAt = Start, EndsAt = Start.AddMinutes(30),
        Status = status, Revision = 1, CreatedAt = Start.AddDays(-1), ExpiresAt = Start.AddDays(-1).AddMinutes(2),
    };

    [Fact]
    public void The_question_about_a_booking_carries_its_slot_its_hold_its_clinics_zone_who_booked_and_the_cap()
    {
        Assert.Equal(new VerifyCustomer(7, 2, 64, 9, 5, Start, Start.AddMinutes(30), Start.AddDays(-1).AddMinutes(2), Start.AddDays(-1), "Europe/Berlin",
                Bookers.Customer, ClinicCap: null),
            BookingMessages.VerifyCustomer(Booking(BookingStatus.Pending), "Europe/Berlin", clinicCap: null));
        var atTheDesk = Booking(BookingStatus.Pending);
        atTheDesk.BookedBy = Bookers.Staff;
        var question = BookingMessages.VerifyCustomer(atTheDesk, "Europe/Berlin", clinicCap: 2);
        Assert.True(question.BookedByStaff);
        Assert.Equal(2, question.ClinicCap);
    }

    [Fact]
    public void A_status_event_carries_the_booking_as_it_stands_and_when_it_got_there()
    {
        var rejected = Booking(BookingStatus.Rejected);
        rejected.Revision = 2;
        rejected.RejectedAt = Start.AddDays(-1).AddSeconds(1);
        rejected.Reason = CustomerVerdict.InactiveCustomer;

        var message = BookingMessages.StatusChanged(rejected, "Europe/Berlin");

        Assert.Equal(new BookingStatusChanged(7, 2, 64, 9, 5, Start, Start.AddMinutes(30), BookingStatus.Rejected, 2,
            Start.AddDays(-1).AddSeconds(1), CustomerVerdict.InactiveCustomer, "Europe/Berlin"), message);
        Assert.Equal(Start.AddDays(-1), BookingMessages.StatusChanged(Booking(BookingStatus.Pending), "Europe/Berlin").ChangedAt);
    }

    private static string[] Errors(long? customerId, string? key) =>
    [
        .. new BookSlotRequestValidator().Validate(new BookSlotRequest(customerId)).ToDictionary().Keys,
        .. new IdempotencyKeyValidator().Validate(new IdempotencyKey(key)).ToDictionary().Keys,
    ];

    [Theory]
    [InlineData(1L, null, new string[0])]
    [InlineData(1L, "key-1", new string[0])]
    // Left out, the booking is for the signed-in customer (staff must name one: the handler says so, 400).
    [InlineData(null, null, new string[0])]
    [InlineData(0L, null, new[] { "customerId" })]
    [InlineData(-5L, null, new[] { "customerId" })]
    [InlineData(3L, "", new[] { "Idempotency-Key" })]
    [InlineData(3L, "has space", new[] { "Idempotency-Key" })]
    [InlineData(3L, "ünïcode", new[] { "Idempotency-Key" })]
    public void A_booking_request_names_a_real_customer_if_any_and_a_sane_key(long? customerId, string? key, string[] expected) =>
        Assert.Equal(expected, Errors(customerId, key).Order().ToArray());

    [Fact]
    public void A_key_longer_than_200_characters_is_refused() =>
        Assert.Equal(["Idempotency-Key"], Errors(1, new string('k', 201)));

    [Fact]
    public void A_booking_shows_its_history_in_order_and_its_deadline_only_while_pending()
    {
        var booking = new Booking
        {
            ClinicId = 64, Id = 7, BookingSlotId = 9, DoctorId = 5, CustomerId = 2, StartsAt = Start, EndsAt = Start.AddMinutes(30),
            Status = BookingStatus.Cancelled, Revision = 3, CreatedAt = Start.AddDays(-2), ExpiresAt = Start.AddDays(-2).AddMinutes(2),
            ConfirmedAt = Start.AddDays(-2).AddSeconds(1), CancelledAt = Start.AddDays(-1),
        };

        var response = booking.ToResponse("Europe/Berlin");

        Assert.Equal([BookingStatus.Pending, BookingStatus.Confirmed, BookingStatus.Cancelled], response.History.Select(h => h.Status));
        Assert.Equal(TimeSpan.FromHours(1), response.StartsAt.Offset); // clinic time, same instant
        Assert.Equal(Start, response.StartsAt);
        Assert.Null(response.HoldExpiresAt);
        booking.Status = BookingStatus.Pending;
        Assert.Equal(booking.ExpiresAt, booking.ToResponse("Europe/Berlin").HoldExpiresAt);
    }

    [Fact]
    public async Task A_waiting_request_gets_the_decided_booking_or_nothing_after_its_timeout()
    {
        var outcomes = new BookingOutcomes();
        var watched = outcomes.Watch(7);
        var decided = new Booking { Id = 7, Status = BookingStatus.Confirmed };

        outcomes.Decided(decided);

        Assert.Same(decided, await outcomes.WaitAsync(7, watched, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken));
        var never = outcomes.Watch(8);
        Assert.Null(await outcomes.WaitAsync(8, never, TimeSpan.FromMilliseconds(20), TestContext.Current.CancellationToken));
    }
}
