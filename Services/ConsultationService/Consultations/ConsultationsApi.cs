using System.Globalization;
using System.Security.Claims;
using ClinicBooking.ConsultationService.Data;
using ClinicBooking.ConsultationService.Video;
using ClinicBooking.Contracts.Access;
using ClinicBooking.Contracts.Consultations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ConsultationService.Consultations;

/// <summary>
/// Online appointments' video calls, each shown to its holders only: the booking's customer gets the patient's
/// link, the staff of the booking's clinic the doctor's. Nobody else may see or list them: another customer, or
/// the staff of another clinic, gets 404 (as for a booking that is not theirs), and administrators and services
/// 403 (operators see the meetings without their links at <c>/operations/consultations</c>).
/// </summary>
public static class ConsultationsApi
{
    public const int MaxListed = 200;

    public static IEndpointRouteBuilder MapConsultationsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/consultations").WithTags("Consultations")
            .ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/", ListConsultations).WithSummary("Your online appointments' video calls (a customer), or a clinic's (its staff)");
        api.MapGet("/{bookingId:long}", GetConsultation).WithSummary("An online appointment's video call, with your join link while it is open");
        return app;
    }

    public static async Task<Ok<ConsultationResponse>> GetConsultation(
        long bookingId, ClaimsPrincipal user, ConsultationDbContext db, IOptions<VideoOptions> video, TimeProvider clock, CancellationToken ct)
    {
        var caller = Caller.From(user);
        var notFound = ProblemException.NotFound($"Booking {bookingId} has no video call of yours: it is not online, not yours, or not confirmed yet.");
        var clinicId = ClinicIds.ClinicOf(bookingId);
        string joinAs;
        if (caller.CustomerId is not null)
        {
            joinAs = VideoParticipants.Patient;
        }
        else if (caller.IsStaff && !caller.IsAdministrator)
        {
            // The id carries its clinic: another clinic's staff learn nothing, not even whether it exists.
            joinAs = caller.ClinicIds.Contains(clinicId) ? VideoParticipants.Doctor : throw notFound;
        }
        else
        {
            throw HolderOnly();
        }
        var consultation = await db.Consultations.AsNoTracking().SingleOrDefaultAsync(c => c.BookingId == bookingId, ct);
        if (consultation is null || (joinAs == VideoParticipants.Patient && consultation.CustomerId != caller.CustomerId))
        {
            throw notFound;
        }
        return TypedResults.Ok(consultation.ToResponse(joinAs, video.Value.OpensBefore, clock.GetUtcNow()));
    }

    /// <summary>
    /// A customer's own video calls, or (for its staff) those of <paramref name="clinicId"/>; optionally only
    /// those starting on <paramref name="date"/> (clinic-local). The newest first, at most <see cref="MaxListed"/>.
    /// </summary>
    public static async Task<Ok<List<ConsultationResponse>>> ListConsultations(
        ClaimsPrincipal user, ConsultationDbContext db, IOptions<VideoOptions> video, TimeProvider clock, CancellationToken ct,
        long? clinicId = null, DateOnly? date = null)
    {
        var caller = Caller.From(user);
        IQueryable<Consultation> query;
        string joinAs;
        if (caller.CustomerId is { } customerId)
        {
            if (clinicId is not null)
            {
                throw ProblemException.Validation(new Dictionary<string, string[]> { ["clinicId"] = ["A customer sees their own video calls: leave clinicId out."] });
            }
            (query, joinAs) = (db.Consultations.Where(c => c.CustomerId == customerId), VideoParticipants.Patient);
        }
        else if (caller.IsStaff && !caller.IsAdministrator)
        {
            if (clinicId is not { } clinic)
            {
                throw ProblemException.Validation(new Dictionary<string, string[]> { ["clinicId"] = ["clinicId is required: the clinic whose video calls to list."] });
            }
            if (!caller.ClinicIds.Contains(clinic))
            {
                throw ProblemException.NotFound($"Clinic {clinic} does not exist.");
            }
            (query, joinAs) = (db.Consultations.Where(c => c.ClinicId == clinic), VideoParticipants.Doctor);
        }
        else
        {
            throw HolderOnly();
        }
        if (date is { } day)
        {
            // A clinic-local date spans at most the day and its neighbours in UTC; the exact day is checked below.
            var (from, to) = (new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(-14),
                              new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddHours(38));
            query = query.Where(c => c.StartsAt >= from && c.StartsAt < to);
        }
        var rows = await query.AsNoTracking().OrderByDescending(c => c.StartsAt).Take(MaxListed).ToListAsync(ct);
        var now = clock.GetUtcNow();
        return TypedResults.Ok(rows
            .Where(c => date is null || DateOnly.FromDateTime(ClinicTime.Of(c.StartsAt, c.TimeZone).DateTime) == date)
            .Select(c => c.ToResponse(joinAs, video.Value.OpensBefore, now)).ToList());
    }

    private static ProblemException HolderOnly() => new(StatusCodes.Status403Forbidden, "Forbidden",
        "A video call's links are its holders' own: the patient's, and the doctor's for the clinic's staff. Operators see the meetings, without their links, at /operations/consultations.");

    /// <summary>The consultation as <paramref name="joinAs"/> sees it at <paramref name="now"/>: their link only while the meeting is open.</summary>
    public static ConsultationResponse ToResponse(this Consultation c, string joinAs, TimeSpan opensBefore, DateTimeOffset now)
    {
        var (opensAt, closesAt) = (c.StartsAt - opensBefore, c.EndsAt);
        string Local(DateTimeOffset instant) => ClinicTime.Of(instant, c.TimeZone).ToString("HH:mm (zzz) 'on' d MMMM yyyy", CultureInfo.InvariantCulture);
        var status = c.Status;
        var open = status == ConsultationStatuses.Scheduled && now >= opensAt && now < closesAt;
        var message = status switch
        {
            ConsultationStatuses.Cancelled => "This appointment was cancelled; its video call is closed.",
            ConsultationStatuses.Scheduling => "The video call is being set up; its link appears here shortly.",
            _ when now < opensAt => $"The video call opens at {Local(opensAt)}, {opensBefore.TotalMinutes:0} minutes before the appointment. Come back then.",
            _ when now >= closesAt => $"This appointment ended at {Local(closesAt)}; its video call is closed.",
            _ => $"The video call is open until {Local(closesAt)}.",
        };
        return new ConsultationResponse(c.BookingId, c.ClinicId, c.DoctorId, status,
            ClinicTime.Of(c.StartsAt, c.TimeZone), ClinicTime.Of(c.EndsAt, c.TimeZone),
            ClinicTime.Of(opensAt, c.TimeZone), ClinicTime.Of(closesAt, c.TimeZone), c.TimeZone, joinAs,
            open ? (joinAs == VideoParticipants.Doctor ? c.DoctorUrl : c.PatientUrl) : null, message);
    }
}
