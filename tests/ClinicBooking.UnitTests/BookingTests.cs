using ClinicBooking.ClinicService.Apis;
using ClinicBooking.ClinicService.Model;
using ClinicBooking.ClinicService.Saga;
using ClinicBooking.Messages;

namespace ClinicBooking.UnitTests;

public class BookingTests
{
    private static readonly DateTimeOffset Start = new(2027, 3, 1, 8, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_payload_in_the_shape_the_saga_SQL_writes_reads_as_the_message()
    {
        // What jsonb_build_object(...)::text produces in BookingSaga: camelCase names, lowercase status,
        // PostgreSQL's ISO timestamps.
        var row = new OutboxMessage
        {
            MessageType = nameof(BookingStatusChanged),
            Payload = """
                {"endsAt": "2027-03-01T08:30:00+00:00", "reason": "inactive-customer", "status": "rejected", "clinicId": 64,
                 "doctorId": 5, "revision": 2, "startsAt": "2027-03-01T08:00:00+00:00", "bookingId": 7, "changedAt": "2027-02-28T08:00:00.123456+00:00",
                 "customerId": 2, "bookingSlotId": null}
                """,
        };

        var message = Assert.IsType<BookingStatusChanged>(row.Deserialize());

        Assert.Equal(BookingStatus.Rejected, message.Status);
        Assert.Equal(Start, message.StartsAt);
        Assert.Null(message.BookingSlotId);
        Assert.Equal("inactive-customer", message.Reason);
    }

    [Fact]
    public void A_question_in_the_shape_the_saga_SQL_writes_reads_as_the_message()
    {
        var row = new OutboxMessage
        {
            MessageType = nameof(VerifyCustomer),
            Payload = """
                {"endsAt": "2027-03-01T08:30:00+00:00", "clinicId": 64, "doctorId": 5, "startsAt": "2027-03-01T08:00:00+00:00",
                 "bookingId": 7, "customerId": 2, "bookingSlotId": 9, "holdExpiresAt": "2027-02-28T08:02:00+00:00"}
                """,
        };

        Assert.Equal(new VerifyCustomer(7, 2, 64, 9, 5, Start, Start.AddMinutes(30), Start.AddDays(-1).AddMinutes(2)), row.Deserialize());
    }

    [Theory]
    [InlineData(1L, null, new string[0])]
    [InlineData(1L, "key-1", new string[0])]
    [InlineData(null, null, new[] { "customerId" })]
    [InlineData(0L, null, new[] { "customerId" })]
    [InlineData(-5L, null, new[] { "customerId" })]
    [InlineData(3L, "", new[] { "Idempotency-Key" })]
    [InlineData(3L, "has space", new[] { "Idempotency-Key" })]
    [InlineData(3L, "ünïcode", new[] { "Idempotency-Key" })]
    public void A_booking_request_needs_a_customer_and_a_sane_key(long? customerId, string? key, string[] expected) =>
        Assert.Equal(expected, BookingValidation.Check(new BookSlotRequest(customerId), key).Keys.Order().ToArray());

    [Fact]
    public void A_key_longer_than_200_characters_is_refused() =>
        Assert.Equal(["Idempotency-Key"], BookingValidation.Check(new BookSlotRequest(1), new string('k', 201)).Keys);

    [Fact]
    public void A_booking_shows_its_history_in_order_and_its_deadline_only_while_pending()
    {
        var booking = new Booking
        {
            ClinicId = 64, Id = 7, BookingSlotId = 9, DoctorId = 5, CustomerId = 2, StartsAt = Start, EndsAt = Start.AddMinutes(30),
            Status = BookingStatus.Cancelled, Revision = 3, CreatedAt = Start.AddDays(-2), ExpiresAt = Start.AddDays(-2).AddMinutes(2),
            ConfirmedAt = Start.AddDays(-2).AddSeconds(1), CancelledAt = Start.AddDays(-1),
        };

        var response = BookingResponse.From(booking, "Europe/Berlin");

        Assert.Equal([BookingStatus.Pending, BookingStatus.Confirmed, BookingStatus.Cancelled], response.History.Select(h => h.Status));
        Assert.Equal(TimeSpan.FromHours(1), response.StartsAt.Offset); // clinic time, same instant
        Assert.Equal(Start, response.StartsAt);
        Assert.Null(response.HoldExpiresAt);
        booking.Status = BookingStatus.Pending;
        Assert.Equal(booking.ExpiresAt, BookingResponse.From(booking, "Europe/Berlin").HoldExpiresAt);
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
