using System.ComponentModel.DataAnnotations;

namespace ClinicBooking.ConsultationService.Video;

/// <summary>
/// A meeting to make (or move) at the video service: <see cref="Reference"/> names it on our side (the booking),
/// so asking twice makes one meeting; it opens <see cref="OpensAt"/> and closes at <see cref="EndsAt"/>. Times are
/// shown in <see cref="TimeZone"/> (the clinic's).
/// </summary>
public sealed record MeetingRequest(string Reference, string Title, DateTimeOffset StartsAt, DateTimeOffset EndsAt, DateTimeOffset OpensAt, string TimeZone);

/// <summary>The video service's meeting and its two join links, each for its holder only.</summary>
public sealed record Meeting(string Id, string PatientUrl, string DoctorUrl);

/// <summary>
/// The video service online appointments take place at: the local provider that runs with the system
/// (<see cref="LocalVideoProvider"/>), or Jitsi Meet (<see cref="JitsiVideoProvider"/>). Every call may throw
/// when the service is unreachable or refuses; <see cref="Meetings.MeetingScheduler"/> retries.
/// </summary>
public interface IVideoProvider
{
    /// <summary>The name the consultations record as their provider.</summary>
    string Name { get; }

    /// <summary>Makes the meeting, or returns the one made before for the same reference.</summary>
    Task<Meeting> CreateAsync(MeetingRequest request, CancellationToken ct);

    /// <summary>Moves a meeting to new times; its links may change with it.</summary>
    Task<Meeting> UpdateAsync(string meetingId, MeetingRequest request, CancellationToken ct);

    /// <summary>Cancels a meeting: its links open nothing from then on. Cancelling it again changes nothing.</summary>
    Task CancelAsync(string meetingId, CancellationToken ct);
}

/// <summary>The video settings (section <c>Video</c>).</summary>
public sealed class VideoOptions
{
    public const string Section = "Video";

    /// <summary>
    /// <c>Local</c> (the provider that runs with the system, with its join pages under <c>/video</c> on the
    /// gateway) or <c>Jitsi</c> (with <see cref="Jitsi"/>'s settings). No default: a deployment says which.
    /// </summary>
    [Required(ErrorMessage = "Video:Provider must say where online appointments take place: Local or Jitsi.")]
    [RegularExpression("^(Local|Jitsi)$", ErrorMessage = "Video:Provider is Local or Jitsi.")]
    public string? Provider { get; set; }

    /// <summary>How long before the start a meeting opens (its links work until its end).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "02:00:00")]
    public TimeSpan OpensBefore { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The key the links are signed with (at least 32 characters of random text): the local provider's join
    /// tokens, and the Jitsi room names. A secret, from the environment.
    /// </summary>
    [Required(ErrorMessage = "Video:SigningKey must be set (a secret of at least 32 random characters).")]
    [MinLength(32, ErrorMessage = "Video:SigningKey must be at least 32 random characters.")]
    public string? SigningKey { get; set; }

    /// <summary>The local provider's public address (the gateway's), where its join pages are.</summary>
    public Uri? LocalBaseUrl { get; set; }

    public JitsiOptions Jitsi { get; set; } = new();

    public bool IsLocal => Provider == "Local";

    public bool IsComplete => IsLocal ? LocalBaseUrl is not null : Jitsi.Domain is { Length: > 0 };

    public byte[] Key => System.Text.Encoding.UTF8.GetBytes(SigningKey!);
}

/// <summary>
/// A Jitsi Meet deployment: its <see cref="Domain"/> (meet.jit.si, or your own), and for a deployment with token
/// authentication its application id and secret: each link then carries a signed room token (HS256) naming the
/// room, the holder and the meeting's window, and only the doctor's makes its holder a moderator.
/// </summary>
public sealed class JitsiOptions
{
    public string? Domain { get; set; }
    public string? AppId { get; set; }
    public string? AppSecret { get; set; }
}
