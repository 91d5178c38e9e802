using System.ComponentModel.DataAnnotations;

namespace ClinicBooking.Messaging.Outbox;

/// <summary>Timing of the outbox (section <c>Outbox</c>).</summary>
public sealed class OutboxOptions
{
    public const string Section = "Outbox";

    /// <summary>
    /// Per message type (its name, e.g. <c>VerifyCustomer</c>): at most one batch of that type per this long, for
    /// the types a service sends right after their commit (<see cref="OutboxChannel{T}"/>). What comes within the
    /// window shares one broker message; a lone message (the last batch went longer ago) is sent at once. A type
    /// not named here uses the window its service registered it with.
    /// </summary>
    public Dictionary<string, TimeSpan> BatchWindows { get; } = [];

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
