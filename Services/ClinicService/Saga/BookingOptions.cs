namespace ClinicBooking.ClinicService.Saga;

/// <summary>Timing of the booking saga (section <c>Booking</c>).</summary>
public sealed class BookingOptions
{
    public const string Section = "Booking";

    /// <summary>
    /// How long a pending booking holds its slot. Long enough to ride out a short CustomerService or broker
    /// outage; a booking still pending then expires and the slot is free again.
    /// </summary>
    public TimeSpan HoldTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long a booking request waits for the saga before answering 202 with a Location to poll.</summary>
    public TimeSpan ResponseWait { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>How often the expiry sweep and the outbox re-driver look at the shards.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How old an unsent outbox message must be before the re-driver sends it: longer than a first publish
    /// normally takes, so the re-driver does not race the publish made right after the commit.
    /// </summary>
    public TimeSpan RedeliveryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// At most one <see cref="Messages.VerifyCustomers"/> batch per this long: questions that come within it
    /// share one RabbitMQ message. Short, as every booking request waits for its answer; a lone question
    /// (the last batch went longer ago) is sent at once.
    /// </summary>
    public TimeSpan QuestionBatchWindow { get; set; } = TimeSpan.FromMilliseconds(2);

    /// <summary>
    /// At most one <see cref="Messages.BookingStatusChanges"/> batch per this long. Nobody waits for these
    /// (they feed CustomerService's read model), so the window is long and the batches large.
    /// </summary>
    public TimeSpan EventBatchWindow { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>How long sent outbox messages are kept (to look into, or to resend by clearing sent_at).</summary>
    public TimeSpan SentRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The queue this cell's saga replies arrive on; defaults to the cell's name.</summary>
    public string? ReplyQueue { get; set; }
}
