namespace ClinicBooking.ConsultationService.Data;

/// <summary>
/// A meeting of the local video provider (<see cref="Video.LocalVideoProvider"/>), the stand-in for a video
/// service that runs with the system. Its own records, kept apart from the consultations: what a real provider
/// would hold on its side.
/// </summary>
public sealed class LocalMeeting
{
    public required string Id { get; set; }

    /// <summary>The caller's reference (the booking): a repeated request for it gets the same meeting.</summary>
    public required string Reference { get; set; }

    public required string Title { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    /// <summary>When its links start to work: a short time before the start.</summary>
    public DateTimeOffset OpensAt { get; set; }

    public required string TimeZone { get; set; }

    public DateTimeOffset? CancelledAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public List<LocalMeetingJoin> Joins { get; set; } = [];
}

/// <summary>Someone opened a meeting's join page with a valid link: who (patient or doctor) and when.</summary>
public sealed class LocalMeetingJoin
{
    public long Id { get; set; }

    public required string MeetingId { get; set; }

    public required string Participant { get; set; }

    public DateTimeOffset JoinedAt { get; set; }
}
