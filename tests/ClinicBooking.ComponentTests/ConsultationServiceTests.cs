using System.Collections.Concurrent;
using ClinicBooking.ConsultationService.Consultations;
using ClinicBooking.ConsultationService.Data;
using ClinicBooking.ConsultationService.Meetings;
using ClinicBooking.ConsultationService.Video;
using ClinicBooking.Contracts.Consultations;
using ClinicBooking.Messages;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// ConsultationService's consumer and meeting scheduler as the service wires them, on a migrated database of the
/// scratch server, with MassTransit's in-memory harness, a video provider that records (and fails on demand),
/// and a clock the test moves.
/// </summary>
public sealed class ConsultationServiceTests(ScratchPostgres postgres) : IAsyncLifetime
{
    private const long Clinic = (9 << 6) | 0, Doctor = 90, Customer = 900;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IHost _host = null!;
    private readonly RecordingProvider _provider = new();
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public async ValueTask InitializeAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync($"consultations_{Guid.NewGuid():N}");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Video:Provider"] = "Local",
            ["Video:SigningKey"] = "a-test-signing-key-of-at-least-32-characters",
            ["Video:LocalBaseUrl"] = "http://gateway.test",
        });
        builder.Services.AddDbContext<ConsultationDbContext>(options => options.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        builder.Services.AddOptions<VideoOptions>().BindConfiguration(VideoOptions.Section);
        builder.Services.AddOptions<MeetingOptions>();
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddSingleton<IVideoProvider>(_provider);
        builder.Services.AddSingleton<MeetingScheduler>();
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<BookingChangesConsumer>();
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(20));
        });
        _host = builder.Build();
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<ConsultationDbContext>().Database.MigrateAsync(Ct);
        }
        await _host.StartAsync(Ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync(CancellationToken.None);
        _host.Dispose();
    }

    [Fact]
    public async Task A_confirmed_online_booking_delivered_twice_gets_one_meeting_and_an_in_person_one_none()
    {
        var confirmed = Change(1, BookingStatus.Confirmed, revision: 2);
        await PublishAsync(confirmed, confirmed);
        await PublishAsync(Change(2, BookingStatus.Confirmed, revision: 2, mode: ConsultationModes.InPerson));
        await PublishAsync(Change(3, BookingStatus.Pending, revision: 1));

        await RunAsync();
        await RunAsync();

        Assert.Equal(["create booking-1"], _provider.Calls);
        var row = await ReadAsync(1);
        Assert.Equal(ConsultationStatuses.Scheduled, row!.Status);
        Assert.NotEqual(row.PatientUrl, row.DoctorUrl);
        Assert.Null(await ReadAsync(2));
        Assert.Null(await ReadAsync(3));
    }

    [Fact]
    public async Task A_failing_provider_is_retried_backing_off_until_it_recovers_and_operators_see_why_meanwhile()
    {
        _provider.Down = true;
        await PublishAsync(Change(10, BookingStatus.Confirmed, revision: 2));

        await RunAsync();
        var failed = await ReadAsync(10);
        Assert.Equal((1, ConsultationStatuses.Scheduling), (failed!.Attempts, failed.Status));
        Assert.Contains("down", failed.LastError);
        // Not again before its back-off is over; again once it is.
        await RunAsync();
        Assert.Single(_provider.Log);
        _clock.Advance(TimeSpan.FromSeconds(1.5));
        await RunAsync();
        Assert.Equal(2, (await ReadAsync(10))!.Attempts);
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var report = await ConsultationOperations.ReportAsync(scope.ServiceProvider.GetRequiredService<ConsultationDbContext>(), Ct);
            Assert.Contains(report.Behind, b => b.BookingId == 10 && b.Attempts == 2 && b.LastError!.Contains("down"));
        }

        _provider.Down = false;
        _clock.Advance(TimeSpan.FromSeconds(3));
        await RunAsync();
        var ready = await ReadAsync(10);
        Assert.Equal((0, ConsultationStatuses.Scheduled, (string?)null), (ready!.Attempts, ready.Status, ready.LastError));
    }

    [Fact]
    public async Task A_cancel_cancels_the_meeting_once_and_a_late_confirmation_does_not_bring_it_back()
    {
        await PublishAsync(Change(20, BookingStatus.Confirmed, revision: 2));
        await RunAsync();
        await PublishAsync(Change(20, BookingStatus.Cancelled, revision: 3));
        await RunAsync();
        // The confirmation again, late: older than the cancel, so nothing changes.
        await PublishAsync(Change(20, BookingStatus.Confirmed, revision: 2));
        await RunAsync();

        Assert.Equal(["create booking-20", "cancel booking-20"], _provider.Calls);
        var row = await ReadAsync(20);
        Assert.Equal(ConsultationStatuses.Cancelled, row!.Status);
        Assert.True(row.MeetingCancelled);
    }

    [Fact]
    public async Task A_booking_whose_times_change_moves_its_meeting_and_keeps_it()
    {
        var start = DateTimeOffset.UtcNow.AddDays(4);
        await PublishAsync(Change(25, BookingStatus.Confirmed, revision: 2, startsAt: start));
        await RunAsync();
        var made = (await ReadAsync(25))!;
        // A later revision of the same confirmed booking at other times (the platform has no move yet; the
        // message says what a move would).
        await PublishAsync(Change(25, BookingStatus.Confirmed, revision: 3, startsAt: start.AddHours(2)));
        await RunAsync();

        Assert.Equal(["create booking-25", "update booking-25"], _provider.Calls);
        var moved = (await ReadAsync(25))!;
        Assert.Equal((made.MeetingId, ConsultationStatuses.Scheduled, 3), (moved.MeetingId, moved.Status, moved.SyncedRevision));
        Assert.Equal(start.AddHours(2).UtcDateTime, moved.StartsAt.UtcDateTime, TimeSpan.FromMilliseconds(1));
    }

    [Fact]
    public async Task A_booking_cancelled_before_its_meeting_was_made_never_gets_one()
    {
        _provider.Down = true;
        await PublishAsync(Change(30, BookingStatus.Confirmed, revision: 2));
        await RunAsync();
        await PublishAsync(Change(30, BookingStatus.Cancelled, revision: 3));
        _provider.Down = false;
        await RunAsync();

        Assert.DoesNotContain(_provider.Calls, c => c.StartsWith("create", StringComparison.Ordinal) && !c.EndsWith("(down)", StringComparison.Ordinal));
        var row = await ReadAsync(30);
        Assert.Equal((ConsultationStatuses.Cancelled, (string?)null), (row!.Status, row.MeetingId));
        Assert.Equal(row.Revision, row.SyncedRevision);
    }

    [Fact]
    public async Task A_link_is_given_to_its_holder_only_while_the_meeting_is_open()
    {
        var start = _clock.GetUtcNow().AddHours(1);
        await PublishAsync(Change(40, BookingStatus.Confirmed, revision: 2, startsAt: start));
        await RunAsync();
        var row = (await ReadAsync(40))!;
        var opensBefore = TimeSpan.FromMinutes(10);

        var early = row.ToResponse(VideoParticipants.Patient, opensBefore, start - TimeSpan.FromMinutes(11));
        Assert.Null(early.JoinUrl);
        Assert.Contains("opens at", early.Message);
        Assert.Equal(row.PatientUrl, row.ToResponse(VideoParticipants.Patient, opensBefore, start - TimeSpan.FromMinutes(10)).JoinUrl);
        Assert.Equal(row.DoctorUrl, row.ToResponse(VideoParticipants.Doctor, opensBefore, start).JoinUrl);
        var over = row.ToResponse(VideoParticipants.Patient, opensBefore, start + TimeSpan.FromMinutes(30));
        Assert.Null(over.JoinUrl);
        Assert.Contains("ended", over.Message);
        // Times carry the clinic's offset (Europe/Berlin).
        Assert.Equal(TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin").GetUtcOffset(start), early.StartsAt.Offset);
    }

    private static BookingStatusChanged Change(long booking, BookingStatus status, int revision, string mode = ConsultationModes.Online,
        DateTimeOffset? startsAt = null)
    {
        var start = startsAt ?? DateTimeOffset.UtcNow.AddDays(3);
        return new BookingStatusChanged(booking, Customer, Clinic, booking, Doctor,
            start, start.AddMinutes(30), status, revision, DateTimeOffset.UtcNow, null, "Europe/Berlin", mode);
    }

    private async Task<Consultation?> ReadAsync(long booking)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ConsultationDbContext>().Consultations.AsNoTracking()
            .SingleOrDefaultAsync(c => c.BookingId == booking, Ct);
    }

    private Task<int> RunAsync() => _host.Services.GetRequiredService<MeetingScheduler>().RunBatchAsync(Ct);

    private Task PublishAsync(params BookingStatusChanged[] changes) => _host.PublishChangesAsync(changes);

    /// <summary>A video service that records each call (one meeting per reference, as a real one) and is down on demand.</summary>
    private sealed class RecordingProvider : IVideoProvider
    {
        private readonly ConcurrentDictionary<string, Meeting> _meetings = new();

        public volatile bool Down;

        public ConcurrentQueue<string> Log { get; } = new();

        public List<string> Calls => [.. Log.Where(c => !c.EndsWith("(down)", StringComparison.Ordinal))];

        public string Name => "Recording";

        public Task<Meeting> CreateAsync(MeetingRequest request, CancellationToken ct)
        {
            Record($"create {request.Reference}");
            return Task.FromResult(_meetings.GetOrAdd(request.Reference, r => new Meeting(r, $"http://video.test/{r}?as=patient", $"http://video.test/{r}?as=doctor")));
        }

        public Task<Meeting> UpdateAsync(string meetingId, MeetingRequest request, CancellationToken ct)
        {
            Record($"update {meetingId}");
            return Task.FromResult(_meetings[meetingId]);
        }

        public Task CancelAsync(string meetingId, CancellationToken ct)
        {
            Record($"cancel {meetingId}");
            return Task.CompletedTask;
        }

        private void Record(string call)
        {
            if (Down)
            {
                Log.Enqueue(call + " (down)");
                throw new HttpRequestException("The video service is down.");
            }
            Log.Enqueue(call);
        }
    }
}
