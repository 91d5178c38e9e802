using System.ComponentModel.DataAnnotations;

namespace ClinicBooking.ClinicService.Bookings;

/// <summary>Timing of the booking saga (section <c>Booking</c>).</summary>
public sealed class BookingOptions
{
    public const string Section = "Booking";

    /// <summary>
    /// How long a pending booking holds its slot. Long enough to ride out a short CustomerService or broker
    /// outage; a booking still pending then expires and the slot is free again.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan HoldTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// How long a patient has to pay once a booking awaits payment (a clinic that takes payment at booking): the slot
    /// is held until then, the provider's payment page closes then, and an unpaid booking then expires.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00")]
    public TimeSpan PaymentHold { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a booking request waits for the saga before answering 202 with a Location to poll.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan ResponseWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the expiry sweep looks for pending bookings past their deadline.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The queue this cell's saga replies arrive on; defaults to the cell's name.</summary>
    public string? ReplyQueue { get; set; }
}
