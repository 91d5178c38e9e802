namespace ClinicBooking.ConsultationService.Data;

/// <summary>
/// An online appointment's video call. The booking's side (times, whether it stands) follows the cells'
/// messages at the booking's <see cref="Revision"/>; the provider's side (its meeting and the two join links)
/// is what the provider last confirmed, at <see cref="SyncedRevision"/>. While the two differ,
/// <see cref="Meetings.MeetingScheduler"/> makes, moves or cancels the meeting, retrying with
/// <see cref="Attempts"/> and <see cref="LastError"/> for operators to see.
/// </summary>
public sealed class Consultation
{
    public long BookingId { get; set; }

    public long ClinicId { get; set; }

    public long CustomerId { get; set; }

    public long DoctorId { get; set; }

    /// <summary>The slot booked, so the clinic's schedule can show the doctor's link next to it.</summary>
    public long? BookingSlotId { get; set; }

    public DateTimeOffset StartsAt { get; set; }

    public DateTimeOffset EndsAt { get; set; }

    /// <summary>The clinic's IANA zone, in which the times are shown.</summary>
    public required string TimeZone { get; set; }

    /// <summary>Whether the booking stands: false once it was cancelled.</summary>
    public bool IsActive { get; set; }

    /// <summary>The booking's revision this row reflects; an older message changes nothing.</summary>
    public int Revision { get; set; }

    /// <summary>The revision the provider's meeting reflects (0: none made yet).</summary>
    public int SyncedRevision { get; set; }

    /// <summary>The provider (<see cref="Video.VideoOptions.Provider"/>) that holds the meeting.</summary>
    public string? Provider { get; set; }

    public string? MeetingId { get; set; }

    /// <summary>The patient's join link: only the patient is given it.</summary>
    public string? PatientUrl { get; set; }

    /// <summary>The doctor's join link: only the clinic's staff are given it.</summary>
    public string? DoctorUrl { get; set; }

    /// <summary>Whether the provider cancelled the meeting.</summary>
    public bool MeetingCancelled { get; set; }

    /// <summary>Failed tries since the last success.</summary>
    public int Attempts { get; set; }

    public DateTimeOffset NextAttemptAt { get; set; }

    public DateTimeOffset? ClaimedUntil { get; set; }

    public string? LastError { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Where the meeting stands, as <see cref="ConsultationStatuses"/> names it.</summary>
    public string Status => !IsActive ? Contracts.Consultations.ConsultationStatuses.Cancelled
        : MeetingId is null || MeetingCancelled ? Contracts.Consultations.ConsultationStatuses.Scheduling
        : Contracts.Consultations.ConsultationStatuses.Scheduled;
}
