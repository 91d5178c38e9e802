using ClinicBooking.NotificationService.Accounts;
using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using ClinicBooking.Messages;
using ClinicBooking.NotificationService.Bookings;
using ClinicBooking.NotificationService.Clinics;
using ClinicBooking.NotificationService.Data;
using ClinicBooking.NotificationService.Dispatch;
using ClinicBooking.NotificationService.Email;
using ClinicBooking.NotificationService.Preferences;
using ClinicBooking.NotificationService.Sms;
using ClinicBooking.Contracts.Notifications;
using MassTransit;
using MassTransit.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Time.Testing;

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
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);

    public async ValueTask InitializeAsync()
    {
        var connectionString = await postgres.CreateDatabaseAsync($"notifications_{Guid.NewGuid():N}");
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Email:Server"] = "smtp://127.0.0.1:1",
            ["Notifications:Reminders:Leads:0"] = "1.00:00:00",
            ["Notifications:Reminders:Leads:1"] = "02:00:00",
            ["Notifications:Reminders:Window"] = "00:15:00",
            ["Notifications:Links:WebApp"] = "http://web.test",
            ["Notifications:Links:Gateway"] = "http://gateway.test",
            ["Sms:Provider"] = "Fake",
        });
        builder.Services.AddDbContext<NotificationDbContext>(options => options.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section);
        builder.Services.AddOptions<DispatchOptions>();
        builder.Services.AddOptions<ReminderOptions>().BindConfiguration(ReminderOptions.Section);
        builder.Services.AddSingleton<TimeProvider>(_clock);
        builder.Services.AddSingleton<IEmailSender>(_mail);
        builder.Services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section);
        builder.Services.AddOptions<NotificationLinks>().BindConfiguration(NotificationLinks.Section);
        builder.Services.AddSingleton<FakeSmsSender>();
        builder.Services.AddSingleton<ISmsSender>(services => services.GetRequiredService<FakeSmsSender>());
        builder.Services.AddSingleton<NotificationDispatcher>();
        builder.Services.AddMemoryCache();
        // The gateway's public answers about the clinic and the doctor.
        builder.Services.AddHttpClient<ClinicDirectory>(http => http.BaseAddress = new Uri("http://gateway"))
            .ConfigurePrimaryHttpMessageHandler(() => new PublicDetails());
        builder.Services.AddMassTransitTestHarness(bus =>
        {
            bus.AddConsumer<BookingStatusChangesConsumer>();
            bus.AddConsumer<CustomerContactConsumer>();
            bus.AddConsumer<AccountMailConsumer>();
            // A first consume waits for EF and Npgsql to warm up: seconds on a busy 2-core machine.
            bus.SetTestTimeouts(testTimeout: TimeSpan.FromSeconds(60), testInactivityTimeout: TimeSpan.FromSeconds(20));
        });
        _host = builder.Build();
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            await scope.ServiceProvider.GetRequiredService<NotificationDbContext>().Database.MigrateAsync(Ct);
        }
        await _host.StartAsync(Ct);
        await PublishAsync(new CustomerContactChanged(Customer, "Nora Notified", "nora@example.com", "020 7946 0999", true, DateTimeOffset.UtcNow));
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }

    [Fact]
    public async Task An_account_mail_delivered_twice_is_sent_once_and_its_link_token_leaves_the_database_once_sent()
    {
        var request = new AccountMailRequested("account-1", AccountMailKind.ResetPassword, "rita@example.com", "Rita Reset",
            "token/with+characters=", null, _clock.GetUtcNow());
        var messageId = Guid.NewGuid();
        await PublishAsync(request, messageId);
        // The broker delivers it again (an acknowledgement lost): what the consumer does with it, run once more.
        await WithDbAsync(async db => { await AccountMailConsumer.QueueAsync(db, request, messageId, _clock.GetUtcNow(), Ct); return 0; });

        Assert.Equal(1, await DispatchAsync());
        var mail = Assert.Single(_mail.To("rita@example.com"));
        Assert.Equal("Set a new password", mail.Subject);
        // The link carries the token whole (escaped), to the web app's page, and no unsubscribe: the person asked for it.
        Assert.Contains("http://web.test/account/reset-password?account=account-1&token=token%2Fwith%2Bcharacters%3D", mail.Text);
        Assert.Null(mail.OneClickUnsubscribe);
        var stored = await WithDbAsync(db => db.AccountMails.SingleAsync(m => m.MessageId == messageId, Ct));
        Assert.Null(stored.Token);
        Assert.Equal(NotificationStatus.Sent, (await WithDbAsync(db => db.Notifications.SingleAsync(n => n.Id == stored.NotificationId, Ct))).Status);
        Assert.Equal(0, await DispatchAsync());
    }

    [Fact]
    public async Task A_repeated_or_older_change_queues_nothing_more()
    {
        await PublishAsync(Change(1, BookingStatus.Confirmed, revision: 2), Change(1, BookingStatus.Confirmed, revision: 2));
        await PublishAsync(Change(1, BookingStatus.Pending, revision: 1));

        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        Assert.Equal([(NotificationKind.Confirmation, 0), (NotificationKind.Reminder, 120), (NotificationKind.Reminder, 1440)],
            (await db.Notifications.Where(n => n.BookingId == 1 && n.Channel == NotificationChannel.Email).ToListAsync(Ct)).Select(n => (n.Kind, n.LeadMinutes)).Order());
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
            .Where(n => n.BookingId == 2 && n.Kind != NotificationKind.Reminder && n.Channel == NotificationChannel.Email).OrderBy(n => n.Kind).Select(n => n.Status).ToListAsync(Ct);
        Assert.Equal([NotificationStatus.Dropped, NotificationStatus.Dropped], statuses);
    }

    [Fact]
    public async Task A_cancellation_follows_its_sent_confirmation_with_the_same_calendar_entry()
    {
        await PublishAsync(Change(3, BookingStatus.Confirmed, revision: 2));
        await DispatchAsync();
        await PublishAsync(Change(3, BookingStatus.Cancelled, revision: 3, CancelReasons.ByClinic));
        await DispatchAsync();

        var mails = _mail.To("nora@example.com");
        Assert.Equal(2, mails.Count);
        Assert.Contains("METHOD:REQUEST", mails[0].Attachments.Single().Content);
        Assert.Contains("METHOD:CANCEL", mails[1].Attachments.Single().Content);
        Assert.Contains($"UID:{AppointmentMail.Uid(3)}", mails[1].Attachments.Single().Content);
        // It says who cancelled and what to do next.
        Assert.Contains("is cancelled: the clinic cancelled it.", mails[1].Text);
        Assert.Contains("Book another time with Dr Mail", mails[1].Text);
        // The clinic's time, with its zone named: 10:00 in Berlin is 09:00 UTC in winter.
        Assert.Contains("10:00–10:30 (Europe/Berlin, CET)", mails[0].Text);
        var entry = Ical.Net.Calendar.Load(mails[0].Attachments.Single().Content)!.Events.Single();
        Assert.Equal("Dr Mail, Clinic of Letters", entry.Summary);
        Assert.Equal("Clinic of Letters, 1 Post Street", entry.Location);
        Assert.Equal("Europe/Berlin", entry.DtStart!.TzId);
        Assert.Equal(new DateTime(DateTime.UtcNow.Year + 1, 1, 15, 10, 0, 0), entry.DtStart.Value);
    }

    /// <summary>
    /// 09:00 in Berlin on the Sunday the clocks go forward: 24 hours before in the clinic's time is 09:00 on the
    /// Saturday, which is 23 hours earlier; 2 hours before is 07:00 (summer time).
    /// </summary>
    [Fact]
    public async Task A_confirmation_queues_its_reminders_their_lead_time_before_in_clinic_time_across_a_clock_change()
    {
        var year = DateTime.UtcNow.Year + 1;
        var sunday = Enumerable.Range(25, 7).Select(d => new DateTime(year, 3, d)).Single(d => d.DayOfWeek == DayOfWeek.Sunday);
        var start = new DateTimeOffset(sunday.AddHours(9), TimeSpan.FromHours(2)); // CEST
        await PublishAsync(Change(10, BookingStatus.Confirmed, revision: 2, startsAt: start));

        Assert.Equal([(120, start.AddHours(-2)), (1440, new DateTimeOffset(sunday.AddDays(-1).AddHours(9), TimeSpan.FromHours(1)))],
            await RemindersAsync(10));
        Assert.Equal(TimeSpan.FromHours(23), start - (await RemindersAsync(10))[1].DueAt);
    }

    [Fact]
    public async Task A_booking_made_inside_a_reminders_window_gets_no_reminder_for_it()
    {
        var start = WholeSeconds(_clock.GetUtcNow()).AddHours(3); // PostgreSQL keeps microseconds

        await PublishAsync(Change(11, BookingStatus.Confirmed, revision: 2, startsAt: start));

        Assert.Equal([(120, start.AddHours(-2))], await RemindersAsync(11));
    }

    [Fact]
    public async Task A_reminder_goes_out_in_its_window_never_before_and_not_after_a_cancellation()
    {
        var start = _clock.GetUtcNow().AddHours(5);
        await PublishAsync(Change(12, BookingStatus.Confirmed, revision: 2, startsAt: start), Change(13, BookingStatus.Confirmed, revision: 2, startsAt: start));
        await DispatchAsync();
        Assert.Equal(2, _mail.To("nora@example.com").Count(m => m.Subject.StartsWith("Confirmed:", StringComparison.Ordinal)));

        // A minute before the 2-hour reminder's window (15 minutes before it is due) opens: nothing.
        _clock.SetUtcNow(start.AddHours(-2).AddMinutes(-16));
        await DispatchAsync();
        Assert.DoesNotContain(_mail.To("nora@example.com"), m => m.Subject.StartsWith("Reminder:", StringComparison.Ordinal));

        // Booking 13 is cancelled meanwhile; once the window is open, only booking 12's reminder goes out.
        await PublishAsync(Change(13, BookingStatus.Cancelled, revision: 3, CancelReasons.ByCustomer, startsAt: start));
        _clock.SetUtcNow(start.AddHours(-2).AddMinutes(-14));
        await DispatchAsync();
        var reminder = Assert.Single(_mail.To("nora@example.com"), m => m.Subject.StartsWith("Reminder:", StringComparison.Ordinal));
        Assert.Contains("a reminder of your appointment", reminder.Text);
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
        var reminders = await db.Notifications.Where(n => n.Kind == NotificationKind.Reminder && n.LeadMinutes == 120 && n.Channel == NotificationChannel.Email)
            .OrderBy(n => n.BookingId).ToListAsync(Ct);
        Assert.Equal([NotificationStatus.Sent, NotificationStatus.Dropped], reminders.Select(n => n.Status));
        Assert.InRange(reminders[0].SentAt!.Value, reminders[0].NotBefore, reminders[0].DueAt);
    }

    [Fact]
    public async Task A_clinics_own_reminder_times_and_sender_name_apply_to_its_bookings()
    {
        await WithDbAsync(db => ClinicSettingsApi.ReplaceSettings(Clinic, new ClinicNotificationSettingsRequest([48], "Clinic of Letters"), db, _clock, Ct));
        var start = WholeSeconds(_clock.GetUtcNow()).AddDays(5);

        await PublishAsync(Change(50, BookingStatus.Confirmed, revision: 2, startsAt: start));
        await DispatchAsync();

        // One reminder, 48 hours before (the service's 24 h and 2 h are for clinics that did not choose).
        Assert.Equal([(2880, start.AddHours(-48))], await RemindersAsync(50));
        Assert.Equal("Clinic of Letters", Assert.Single(_mail.To("nora@example.com")).SenderName);
    }

    [Fact]
    public async Task A_customer_who_wants_no_confirmations_still_hears_of_a_cancellation()
    {
        await WithDbAsync(db => PreferencesApi.ReplacePreferences(Customer,
            new NotificationPreferencesRequest(false, true, true, SmsConfirmations: false, SmsCancellations: false, SmsReminders: false), db, _clock, Ct));
        await PublishAsync(Change(60, BookingStatus.Confirmed, revision: 2));
        await DispatchAsync();
        Assert.Empty(_mail.To("nora@example.com"));

        await PublishAsync(Change(60, BookingStatus.Cancelled, revision: 3, CancelReasons.ByClinic));
        await DispatchAsync();

        var cancellation = Assert.Single(_mail.To("nora@example.com"));
        Assert.StartsWith("Cancelled:", cancellation.Subject);
    }

    [Fact]
    public async Task Text_messages_go_to_the_E164_number_as_each_customer_chose_and_none_to_one_who_opted_out()
    {
        const long optedOut = 701;
        await PublishAsync(new CustomerContactChanged(optedOut, "Otto Out", "otto@example.com", "+44 20 7946 0123", true, DateTimeOffset.UtcNow));
        await WithDbAsync(db => PreferencesApi.ReplacePreferences(optedOut,
            new NotificationPreferencesRequest(true, true, true, SmsConfirmations: false, SmsCancellations: false, SmsReminders: false), db, _clock, Ct));
        var start = _clock.GetUtcNow().AddHours(5);
        await PublishAsync(Change(20, BookingStatus.Confirmed, revision: 2, startsAt: start), Change(21, BookingStatus.Confirmed, revision: 2, startsAt: start, customer: optedOut));
        await DispatchAsync();
        // By default a confirmation is a mail only (it carries the calendar entry); both got theirs.
        Assert.Empty(Sms.Received(null));
        Assert.Single(_mail.To("otto@example.com"));

        // The provider fails once: the reminder is tried again, and arrives once.
        Sms.FailNext(1);
        _clock.SetUtcNow(start.AddHours(-2).AddMinutes(-10));
        await DispatchAsync();
        Assert.Empty(Sms.Received(null));
        _clock.Advance(NotificationDispatcher.Backoff(1) + TimeSpan.FromSeconds(1));
        await DispatchAsync();

        var text = Assert.Single(Sms.Received(null));
        Assert.Equal("+442079460999", text.To); // written "020 7946 0999": read in the default region, sent as E.164
        Assert.Contains("reminder", text.Body, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("(CET)", text.Body);
        // The customer who turned text messages off still gets the reminder mail, and no text.
        Assert.Single(_mail.To("otto@example.com"), m => m.Subject.StartsWith("Reminder:", StringComparison.Ordinal));
        var dropped = await WithDbAsync(db => db.Notifications.SingleAsync(n => n.BookingId == 21 && n.Channel == NotificationChannel.Sms && n.LeadMinutes == 120, Ct));
        Assert.Equal(NotificationStatus.Dropped, dropped.Status);
        Assert.Contains("turned off", dropped.Detail);
    }

    [Fact]
    public async Task The_one_click_link_in_a_reminder_mail_stops_the_reminder_mails_that_follow_and_only_those()
    {
        var start = _clock.GetUtcNow().AddHours(25);
        await PublishAsync(Change(30, BookingStatus.Confirmed, revision: 2, startsAt: start));
        _clock.SetUtcNow(start.AddHours(-24).AddMinutes(-5));
        await DispatchAsync();
        var reminder = Assert.Single(_mail.To("nora@example.com"), m => m.Subject.StartsWith("Reminder:", StringComparison.Ordinal));
        var link = Assert.IsType<Uri>(reminder.OneClickUnsubscribe);
        Assert.StartsWith("http://gateway.test/notifications/unsubscribe/", link.AbsoluteUri);

        // What a mail client does with List-Unsubscribe-Post: one POST to the link, no sign-in.
        var token = link.Segments[^1];
        Assert.NotNull(await WithDbAsync(db => PreferencesApi.StopReminderMailsAsync(db, token, _clock.GetUtcNow(), Ct)));
        Assert.Null(await WithDbAsync(db => PreferencesApi.StopReminderMailsAsync(db, token + "0", _clock.GetUtcNow(), Ct)));

        _clock.SetUtcNow(start.AddHours(-2).AddMinutes(-5));
        await DispatchAsync();
        Assert.Single(_mail.To("nora@example.com"), m => m.Subject.StartsWith("Reminder:", StringComparison.Ordinal));
        // Text reminders are not what the mail's link stops.
        Assert.Equal(2, Sms.Received("+442079460999").Count);
    }

    /// <summary>
    /// A dispatcher killed mid-batch runs no more code: the mails it handed over stay sent, the rest of its batch
    /// stays claimed until its lease runs out, and then another dispatcher sends each of them once.
    /// </summary>
    [Fact]
    public async Task A_dispatcher_killed_mid_batch_leaves_the_rest_to_another_and_sends_nothing_twice()
    {
        var bookings = Enumerable.Range(40, 10).Select(b => (long)b).ToList();
        await PublishAsync([.. bookings.Select(b => Change(b, BookingStatus.Confirmed, revision: 2))]);
        var dying = new DyingMailServer(acceptBeforeDying: 3);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var first = Dispatcher(dying).DispatchBatchAsync(kill.Token);
        await dying.Died.WaitAsync(TimeSpan.FromSeconds(60), Ct);

        // Another dispatcher, while the dead one's lease lasts: it leaves those rows alone.
        Assert.Equal(0, await DispatchAsync());
        Assert.Empty(_mail.To("nora@example.com"));

        _clock.Advance(new DispatchOptions().Lease + TimeSpan.FromSeconds(1));
        await DispatchAsync();

        var sent = dying.Accepted.Concat(_mail.To("nora@example.com")).Select(m => m.MessageId).ToList();
        Assert.Equal(10, sent.Count);
        Assert.Equal(10, sent.Distinct().Count());
        Assert.Equal(3, dying.Accepted.Count);
        var confirmations = await WithDbAsync(db => db.Notifications
            .Where(n => bookings.Contains(n.BookingId!.Value) && n.Kind == NotificationKind.Confirmation && n.Channel == NotificationChannel.Email).ToListAsync(Ct));
        Assert.All(confirmations, n => Assert.Equal(NotificationStatus.Sent, n.Status));
        kill.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
    }

    private FakeSmsSender Sms => _host.Services.GetRequiredService<FakeSmsSender>();

    private NotificationDispatcher Dispatcher(IEmailSender mail) => new(
        _host.Services.GetRequiredService<IServiceScopeFactory>(), mail, Sms,
        _host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DispatchOptions>>(),
        _host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<EmailOptions>>(),
        _host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<SmsOptions>>(),
        _host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<NotificationLinks>>(),
        _clock, Microsoft.Extensions.Logging.Abstractions.NullLogger<NotificationDispatcher>.Instance);

    private async Task<T> WithDbAsync<T>(Func<NotificationDbContext, Task<T>> action)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        return await action(scope.ServiceProvider.GetRequiredService<NotificationDbContext>());
    }

    /// <summary>Accepts a few mails, then stops answering in the middle of the next: the process died there.</summary>
    private sealed class DyingMailServer(int acceptBeforeDying) : IEmailSender
    {
        private readonly TaskCompletionSource _died = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<EmailMessage> Accepted { get; } = [];

        public Task Died => _died.Task;

        public async Task SendAsync(EmailMessage message, CancellationToken ct)
        {
            if (Accepted.Count < acceptBeforeDying)
            {
                Accepted.Add(message);
                return;
            }
            _died.TrySetResult();
            await Task.Delay(Timeout.Infinite, ct);
        }
    }

    private static DateTimeOffset WholeSeconds(DateTimeOffset t) => new(t.Ticks - t.Ticks % TimeSpan.TicksPerSecond, t.Offset);

    private async Task<List<(int LeadMinutes, DateTimeOffset DueAt)>> RemindersAsync(long booking)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<NotificationDbContext>().Notifications
            .Where(n => n.BookingId == booking && n.Kind == NotificationKind.Reminder && n.Channel == NotificationChannel.Email).OrderBy(n => n.LeadMinutes).ToListAsync(Ct);
        return [.. rows.Select(n => (n.LeadMinutes, n.DueAt))];
    }

    private static BookingStatusChanged Change(long booking, BookingStatus status, int revision, string? reason = null, DateTimeOffset? startsAt = null,
        long customer = Customer)
    {
        var start = startsAt ?? new DateTimeOffset(DateTime.UtcNow.Year + 1, 1, 15, 9, 0, 0, TimeSpan.Zero);
        return new(booking, customer, Clinic, booking, Doctor, start, start.AddMinutes(30), status, revision, DateTimeOffset.UtcNow, reason, "Europe/Berlin");
    }

    private Task PublishAsync(params BookingStatusChanged[] changes) => _host.PublishChangesAsync(changes);

    private Task PublishAsync<T>(T message) where T : class => _host.PublishConsumedAsync(message, Guid.NewGuid());

    private Task PublishAsync<T>(T message, Guid id) where T : class => _host.PublishConsumedAsync(message, id);

    private Task<int> DispatchAsync() => _host.Services.GetRequiredService<NotificationDispatcher>().DispatchBatchAsync(Ct);

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
