using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ClinicBooking.ConsultationService.Data;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ConsultationService.Video;

/// <summary>
/// Jitsi Meet (<see cref="JitsiOptions"/>). A Jitsi room exists while someone is in it, so there is nothing to
/// call: a meeting is a room name no one can guess (signed from the booking), and each link carries a room token
/// (JWT, HS256 with the deployment's app secret) for that room, naming its holder, valid from the meeting's
/// opening until its end, and making only the doctor a moderator. Moving a meeting issues new tokens;
/// cancelling one leaves nothing to call (its tokens are no longer handed out, and expire at the end). Without an
/// app id and secret (the public meet.jit.si) the links name the room only, and anyone holding one can enter:
/// then only ClinicBooking's own rule (a link is shown to its holder alone) keeps it theirs. Not exercised here:
/// this machine has no way out.
/// </summary>
public sealed class JitsiVideoProvider(LinkSigner signer, IOptions<VideoOptions> options) : IVideoProvider
{
    public string Name => "Jitsi";

    public Task<Meeting> CreateAsync(MeetingRequest request, CancellationToken ct) =>
        Task.FromResult(MeetingOf("ClinicBooking" + signer.Sign("jitsi-room", request.Reference)[..22].Replace('-', 'x').Replace('_', 'y'), request));

    public Task<Meeting> UpdateAsync(string meetingId, MeetingRequest request, CancellationToken ct) => Task.FromResult(MeetingOf(meetingId, request));

    public Task CancelAsync(string meetingId, CancellationToken ct) => Task.CompletedTask;

    private Meeting MeetingOf(string room, MeetingRequest request) =>
        new(room, Link(room, request, VideoParticipants.Patient), Link(room, request, VideoParticipants.Doctor));

    private string Link(string room, MeetingRequest request, string participant)
    {
        var jitsi = options.Value.Jitsi;
        var url = $"https://{jitsi.Domain}/{room}";
        if (jitsi is not { AppId.Length: > 0, AppSecret.Length: > 0 })
        {
            return $"{url}#userInfo.displayName=%22{(participant == VideoParticipants.Doctor ? "Doctor" : "Patient")}%22";
        }
        var token = RoomToken(jitsi, room, participant, request.OpensAt, request.EndsAt);
        return $"{url}?jwt={token}";
    }

    /// <summary>A Jitsi room token (the prosody token module's claims): aud "jitsi", iss the app id, sub the domain.</summary>
    internal static string RoomToken(JitsiOptions jitsi, string room, string participant, DateTimeOffset opensAt, DateTimeOffset endsAt)
    {
        static string Part(object value) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(value));
        var header = Part(new Dictionary<string, object> { ["alg"] = "HS256", ["typ"] = "JWT" });
        var payload = Part(new Dictionary<string, object>
        {
            ["aud"] = "jitsi",
            ["iss"] = jitsi.AppId!,
            ["sub"] = jitsi.Domain!,
            ["room"] = room,
            ["nbf"] = opensAt.ToUnixTimeSeconds(),
            ["exp"] = endsAt.ToUnixTimeSeconds(),
            ["moderator"] = participant == VideoParticipants.Doctor,
            ["context"] = new Dictionary<string, object>
            {
                ["user"] = new Dictionary<string, object> { ["name"] = participant == VideoParticipants.Doctor ? "Doctor" : "Patient" },
            },
        });
        var signature = Base64Url.EncodeToString(HMACSHA256.HashData(Encoding.UTF8.GetBytes(jitsi.AppSecret!), Encoding.ASCII.GetBytes($"{header}.{payload}")));
        return $"{header}.{payload}.{signature}";
    }
}
