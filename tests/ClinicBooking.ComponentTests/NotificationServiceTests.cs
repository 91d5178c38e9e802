using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using ClinicBooking.Messages;
using ClinicBooking.NotificationService.Bookings;
using ClinicBooking.NotificationService.Clinics;
using ClinicBooking.NotificationService.Data;
using ClinicBooking.NotificationService.Dispatch;
using ClinicBooking.NotificationService.Email;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ClinicBooking.ComponentTests;

/// <summary>
/// NotificationService's consumers and dispatcher as the service wires them, on a migrated database of the
/// scratch server, with MassTransit's in-memory harness and a mail server that records what it is handed.
/// </summary>
public sealed class NotificationServiceTests(ScratchPostgres postgres) : IAsyncLifetime
{
    private const long Clinic = (7 << 6) | 0, Doctor = 70, Customer = 700;
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IHost _host = null!;
    private readonly RecordingMailServer _mail = new();

    public async ValueTask InitializeAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync($"notifications_{Guid.NewGuid():N}");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Email:Server"] = "smtp://127.0.0.1:1",
        });
        builder.Services.AddDbContext<NotificationDbContext>(options => options.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section);
        builder.Services.AddOptions<DispatchOptions>();
        builder.Services.AddSingleton<IEmailSender>(_mail);
        builder.Services.AddSingleton<NotificationDispatcher>();
        builder.Services.AddMemoryCache();
        // The gateway's public answers about the clinic and the doctor.
        builder.Services.AddHttpClient<ClinicDirectory>(http => http.BaseAddress = new Uri("http://gateway"))
            .ConfigurePrimaryHttpMessageHandler(() => new PublicDetails());
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<BookingStatusChangesConsumer>();
            bus.AddConsumer<CustomerContactConsumer>();
        });
        _host = builder.Build();
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NotificationDbContext>().Database.MigrateAsync(Ct);
        }
        await _host.StartAsync(Ct);
        await PublishAsync(new CustomerContactChanged(Customer, "Nora Notified", "nora@example.com", null, true, DateTimeOffset.UtcNow));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task A_repeated_or_older_change_queues_nothing_more()
    {
        await PublishAsync(Change(1, BookingStatus.Confirmed, revision: 2), Change(1, BookingStatus.Confirmed, revision: 2));
        await PublishAsync(Change(1, BookingStatus.Pending, revision: 1));

        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        Assert.Equal(NotificationKind.Confirmation, (await db.Notifications.SingleAsync(n => n.BookingId == 1, Ct)).Kind);
        var appointment = await db.Appointments.SingleAsync(a => a.BookingId == 1, Ct);
        Assert.Equal((BookingStatus.Confirmed, 2), (appointment.Status, appointment.Revision));
    }

    [Fact]
    public async Task A_booking_cancelled_before_its_confirmation_went_out_sends_nothing()
    {
        await PublishAsync(Change(2, BookingStatus.Confirmed, revision: 2));
        await PublishAsync(Change(2, BookingStatus.Cancelled, revision: 3));

        await DispatchAsync();

        Assert.Empty(_mail.To("nora@example.com"));
        await using var scope = _host.Services.CreateAsyncScope();
        var statuses = await scope.ServiceProvider.GetRequiredService<NotificationDbContext>().Notifications
            .Where(n => n.BookingId == 2).OrderBy(n => n.Kind).Select(n => n.Status).ToListAsync(Ct);
        Assert.Equal([NotificationStatus.Dropped, NotificationStatus.Dropped], statuses);
    }

    [Fact]
    public async Task A_cancellation_follows_its_sent_confirmation_with_the_same_calendar_entry()
    {
        await PublishAsync(Change(3, BookingStatus.Confirmed, revision: 2));
        await DispatchAsync();
        await PublishAsync(Change(3, BookingStatus.Cancelled, revision: 3));
        await DispatchAsync();

        var mails = _mail.To("nora@example.com");
        Assert.Equal(2, mails.Count);
        Assert.Contains("METHOD:REQUEST", mails[0].Attachments.Single().Content);
        Assert.Contains("METHOD:CANCEL", mails[1].Attachments.Single().Content);
        Assert.Contains($"UID:{AppointmentMail.Uid(3)}", mails[1].Attachments.Single().Content);
        // The clinic's time, with its zone named: 10:00 in Berlin is 09:00 UTC in winter.
        Assert.Contains("10:00–10:30 (Europe/Berlin, CET)", mails[0].Text);
        var entry = Ical.Net.Calendar.Load(mails[0].Attachments.Single().Content)!.Events.Single();
        Assert.Equal("Dr Mail, Clinic of Letters", entry.Summary);
        Assert.Equal("Clinic of Letters, 1 Post Street", entry.Location);
        Assert.Equal("Europe/Berlin", entry.DtStart!.TzId);
        Assert.Equal(new DateTime(DateTime.UtcNow.Year + 1, 1, 15, 10, 0, 0), entry.DtStart.Value);
    }

    private static BookingStatusChanged Change(long booking, BookingStatus status, int revision)
    {
        var start = new DateTimeOffset(DateTime.UtcNow.Year + 1, 1, 15, 9, 0, 0, TimeSpan.Zero);
        return new(booking, Customer, Clinic, booking, Doctor, start, start.AddMinutes(30), status, revision, DateTimeOffset.UtcNow, null, "Europe/Berlin");
    }

    private async Task PublishAsync(params BookingStatusChanged[] changes) =>
        await PublishAsync(new BookingStatusChanges([.. changes.Select(c => new Traced<BookingStatusChanged>(Guid.NewGuid(), c, null))]));

    private async Task PublishAsync<T>(T message) where T : class
    {
        var harness = _host.Services.GetRequiredService<ITestHarness>();
        var id = Guid.NewGuid();
        await harness.Bus.Publish(message, context => context.MessageId = id, Ct);
        Assert.True(await harness.Consumed.Any<T>(m => m.Context.MessageId == id, Ct), $"{typeof(T).Name} was not consumed.");
    }

    private Task DispatchAsync() => _host.Services.GetRequiredService<NotificationDispatcher>().DispatchBatchAsync(Ct);

    private sealed class RecordingMailServer : IEmailSender
    {
        private readonly ConcurrentQueue<EmailMessage> _sent = new();

        public Task SendAsync(EmailMessage message, CancellationToken ct)
        {
            _sent.Enqueue(message);
            return Task.CompletedTask;
        }

        public List<EmailMessage> To(string address) => [.. _sent.Where(m => m.ToAddress == address)];
    }

    private sealed class PublicDetails : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
        {
            object body = request.RequestUri!.AbsolutePath.StartsWith("/clinics/", StringComparison.Ordinal)
                ? new ClinicResponse(Clinic, 0, "Clinic of Letters", "Europe/Berlin", "1 Post Street", true, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow)
                : new DoctorResponse(Doctor, Clinic, "Dr Mail", "General practice", true, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
            {
                Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), System.Text.Encoding.UTF8, "application/json"),
            });
        }
    }
}
