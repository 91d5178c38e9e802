using System.ComponentModel.DataAnnotations;

namespace ClinicBooking.ClinicService.Outbox;

/// <summary>Timing of the outbox (section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

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

    /// <summary>How often the re-driver looks for unsent messages.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How old an unsent message must be before the re-driver sends it: longer than a first publish normally
    /// takes, so the re-driver does not race the publish made right after the commit.
    /// </summary>
    public TimeSpan RedeliveryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long sent messages are kept (to look into, or to resend by clearing sent_at).</summary>
    public TimeSpan SentRetention { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How long parked messages (ones that can never be sent) are kept for operators to look into.</summary>
    public TimeSpan ParkedRetention { get; set; } = TimeSpan.FromDays(7);
}
