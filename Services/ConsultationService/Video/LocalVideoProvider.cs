using System.Globalization;
using System.Net;
using ClinicBooking.ConsultationService.Consultations;
using ClinicBooking.ConsultationService.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ConsultationService.Video;

/// <summary>
/// The local video provider: it runs with the system, so an online appointment's whole path works here. It keeps
/// its meetings (and who joined, when) in tables of its own, serves a join page per meeting and participant at
/// <c>/video/{meetingId}</c> (through the gateway), signed so a link cannot be made up or turned into the other
/// participant's, and open only from a short time before the start until the end. It goes down on demand
/// (<c>PUT /operations/local-video/outage</c>), so a provider's outage can be seen delaying links, never bookings.
/// </summary>
public sealed class LocalVideoProvider(IServiceScopeFactory scopes, LinkSigner signer, IOptions<VideoOptions> options, TimeProvider clock) : IVideoProvider
{
    private volatile bool _down;

    public string Name => "Local";

    public bool IsDown => _down;

    public void SetDown(bool down) => _down = down;

    public async Task<Meeting> CreateAsync(MeetingRequest request, CancellationToken ct)
    {
        ThrowIfDown();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationDbContext>();
        var id = Guid.NewGuid().ToString("N");
        // One meeting per reference: a repeated request (a retry after a lost answer) gets the first one.
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO local_meetings (id, reference, title, starts_at, ends_at, opens_at, time_zone, created_at)
            VALUES ({id}, {request.Reference}, {request.Title}, {request.StartsAt.ToUniversalTime()}, {request.EndsAt.ToUniversalTime()},
                    {request.OpensAt.ToUniversalTime()}, {request.TimeZone}, {clock.GetUtcNow()})
            ON CONFLICT (reference) DO NOTHING
            """, ct);
        var meetingId = await db.LocalMeetings.Where(m => m.Reference == request.Reference).Select(m => m.Id).SingleAsync(ct);
        return LinksOf(meetingId);
    }

    public async Task<Meeting> UpdateAsync(string meetingId, MeetingRequest request, CancellationToken ct)
    {
        ThrowIfDown();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationDbContext>();
        await db.LocalMeetings.Where(m => m.Id == meetingId).ExecuteUpdateAsync(m => m
            .SetProperty(x => x.StartsAt, request.StartsAt.ToUniversalTime())
            .SetProperty(x => x.EndsAt, request.EndsAt.ToUniversalTime())
            .SetProperty(x => x.OpensAt, request.OpensAt.ToUniversalTime())
            .SetProperty(x => x.Title, request.Title), ct);
        return LinksOf(meetingId);
    }

    public async Task CancelAsync(string meetingId, CancellationToken ct)
    {
        ThrowIfDown();
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ConsultationDbContext>();
        var now = clock.GetUtcNow();
        await db.LocalMeetings.Where(m => m.Id == meetingId && m.CancelledAt == null)
            .ExecuteUpdateAsync(m => m.SetProperty(x => x.CancelledAt, now), ct);
    }

    private Meeting LinksOf(string meetingId) => new(meetingId, Link(meetingId, VideoParticipants.Patient), Link(meetingId, VideoParticipants.Doctor));

    private string Link(string meetingId, string participant) =>
        new Uri(options.Value.LocalBaseUrl!, $"/video/{meetingId}?as={participant}&sig={signer.Sign(meetingId, participant)}").ToString();

    private void ThrowIfDown()
    {
        if (_down)
        {
            throw new HttpRequestException("The local video provider is down on purpose (PUT /operations/local-video/outage).", null, HttpStatusCode.ServiceUnavailable);
        }
    }
}

/// <summary>Operators' (and tests') view of the local provider: its meetings and who joined.</summary>
public sealed record LocalMeetingView(string Id, string Reference, string Title, DateTimeOffset StartsAt, DateTimeOffset EndsAt,
    DateTimeOffset? CancelledAt, IReadOnlyList<LocalJoinView> Joins);

public sealed record LocalJoinView(string Participant, DateTimeOffset JoinedAt);

public sealed record LocalVideoOutage(bool Down);

public static class LocalVideoApi
{
    public static IEndpointRouteBuilder MapLocalVideo(this IEndpointRouteBuilder app)
    {
        // The join page: the link is the credential (as at a video service), so no token is asked for.
        app.MapGet("/video/{meetingId}", JoinPage).WithTags("Video").ExcludeFromDescription().Public();

        var operations = app.MapGroup("/operations/local-video").WithTags("Operations").ExcludeFromDescription().AdministratorsAndServices();
        operations.MapGet("/", async Task<Ok<List<LocalMeetingView>>> (string? reference, ConsultationDbContext db, CancellationToken ct) =>
        {
            var meetings = await db.LocalMeetings.AsNoTracking().Include(m => m.Joins)
                .Where(m => reference == null || m.Reference == reference)
                .OrderByDescending(m => m.CreatedAt).Take(100).ToListAsync(ct);
            return TypedResults.Ok(meetings.Select(m => new LocalMeetingView(m.Id, m.Reference, m.Title, m.StartsAt, m.EndsAt, m.CancelledAt,
                [.. m.Joins.OrderBy(j => j.JoinedAt).Select(j => new LocalJoinView(j.Participant, j.JoinedAt))])).ToList());
        });
        operations.MapPut("/outage", NoContent (LocalVideoOutage outage, LocalVideoProvider provider) =>
        {
            provider.SetDown(outage.Down);
            return TypedResults.NoContent();
        });
        return app;
    }

    /// <summary>
    /// Opens the meeting for the link's holder: 200 and the page of the meeting, recording the join; outside its
    /// window 403 (too early: when it opens) or 410 (over, or cancelled); a link that is not one 404.
    /// </summary>
    public static async Task<ContentHttpResult> JoinPage(string meetingId, [Microsoft.AspNetCore.Mvc.FromQuery(Name = "as")] string? participant,
        string? sig, ConsultationDbContext db, LinkSigner signer, TimeProvider clock, CancellationToken ct)
    {
        if (participant is null || !VideoParticipants.All.Contains(participant) || !signer.Verify(sig, meetingId, participant))
        {
            return Page(StatusCodes.Status404NotFound, "Not a meeting link", "This link does not open a meeting. Use the link from your booking.");
        }
        var meeting = await db.LocalMeetings.AsNoTracking().SingleOrDefaultAsync(m => m.Id == meetingId, ct);
        if (meeting is null)
        {
            return Page(StatusCodes.Status404NotFound, "Not a meeting link", "This link does not open a meeting. Use the link from your booking.");
        }
        var now = clock.GetUtcNow();
        string At(DateTimeOffset instant) => ClinicTime.Of(instant, meeting.TimeZone).ToString("dddd d MMMM yyyy, HH:mm (zzz)", CultureInfo.InvariantCulture);
        if (meeting.CancelledAt is not null)
        {
            return Page(StatusCodes.Status410Gone, "This appointment was cancelled", $"{meeting.Title}: the appointment was cancelled, so its meeting is closed.");
        }
        if (now < meeting.OpensAt)
        {
            return Page(StatusCodes.Status403Forbidden, "Not open yet", $"{meeting.Title} opens at {At(meeting.OpensAt)}, shortly before it starts. Come back then.");
        }
        if (now >= meeting.EndsAt)
        {
            return Page(StatusCodes.Status410Gone, "This meeting is over", $"{meeting.Title} ended at {At(meeting.EndsAt)}.");
        }
        db.LocalMeetingJoins.Add(new LocalMeetingJoin { MeetingId = meetingId, Participant = participant, JoinedAt = now });
        await db.SaveChangesAsync(ct);
        var joins = await db.LocalMeetingJoins.AsNoTracking().Where(j => j.MeetingId == meetingId).OrderBy(j => j.JoinedAt).ToListAsync(ct);
        var who = string.Concat(joins.Select(j => $"<li>The {j.Participant} joined at {WebUtility.HtmlEncode(At(j.JoinedAt))}</li>"));
        return Page(StatusCodes.Status200OK, $"You joined as the {participant}",
            $"{meeting.Title}, from {At(meeting.StartsAt)} until {At(meeting.EndsAt)}.", $"<h2>In this meeting</h2><ul>{who}</ul>");
    }

    private static ContentHttpResult Page(int status, string title, string text, string more = "") =>
        TypedResults.Content($"""
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>{WebUtility.HtmlEncode(title)} · ClinicBooking video</title></head>
            <body><main><h1>{WebUtility.HtmlEncode(title)}</h1><p>{WebUtility.HtmlEncode(text)}</p>{more}
            <p><small>ClinicBooking's local video provider: a stand-in for the video service, with no camera or sound.</small></p></main></body></html>
            """, "text/html; charset=utf-8", statusCode: status);
}
