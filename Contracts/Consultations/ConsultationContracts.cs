namespace ClinicBooking.Contracts.Consultations;

/// <summary>
/// How an appointment takes place: at the clinic, or as a video call. A clinic's shift (and a doctor's template,
/// where it says otherwise) offers one, or <see cref="Either"/>: then the patient chooses when booking. A booking
/// is always one of <see cref="InPerson"/> or <see cref="Online"/>. The names travel in the API, the messages and
/// the databases' check constraints, so they never change.
/// </summary>
public static class ConsultationModes
{
    public const string InPerson = "in-person";
    public const string Online = "online";
    public const string Either = "either";

    /// <summary>What a shift, template or slot may offer.</summary>
    public static readonly string[] Offered = [InPerson, Online, Either];

    /// <summary>What a booking is.</summary>
    public static readonly string[] Booked = [InPerson, Online];

    /// <summary>Whether a slot offering <paramref name="offered"/> can be booked as <paramref name="wanted"/>.</summary>
    public static bool Allows(string offered, string wanted) => offered == Either || offered == wanted;
}

/// <summary>
/// Where an online appointment's video call stands, as its holder sees it. <see cref="JoinUrl"/> is the caller's
/// own link (the patient's for the patient, the doctor's for the clinic's staff), given only while the meeting
/// is open: from <see cref="OpensAt"/> (a short time before the start) until <see cref="ClosesAt"/> (its end);
/// <see cref="Message"/> says what to do otherwise. Times carry the clinic's offset.
/// </summary>
public sealed record ConsultationResponse(
    long BookingId, long ClinicId, long DoctorId, string Status, DateTimeOffset StartsAt, DateTimeOffset EndsAt,
    DateTimeOffset OpensAt, DateTimeOffset ClosesAt, string TimeZone, string JoinAs, string? JoinUrl, string Message);

/// <summary>The states of a consultation's meeting.</summary>
public static class ConsultationStatuses
{
    /// <summary>The booking is confirmed; the video service has not made its meeting yet (it is retried until it does).</summary>
    public const string Scheduling = "scheduling";

    /// <summary>The meeting exists; its links open in its window.</summary>
    public const string Scheduled = "scheduled";

    /// <summary>The booking was cancelled: the meeting is (or is being) cancelled and its links open nothing.</summary>
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Scheduling, Scheduled, Cancelled];
}
