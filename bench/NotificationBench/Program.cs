using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using ClinicBooking.Contracts;
using ClinicBooking.Messages;
using ClinicBooking.NotificationService.Bookings;
using ClinicBooking.NotificationService.Clinics;
using ClinicBooking.NotificationService.Data;
using ClinicBooking.NotificationService.Dispatch;
using ClinicBooking.NotificationService.Email;
using ClinicBooking.NotificationService.Sms;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

// A thundering herd: N reminders due at the same minute (all appointments at one time, one lead time), sent by
// two dispatchers (two instances of NotificationService) through a mail provider with a per-second limit, on
// real PostgreSQL and the real clock. Usage: NotificationBench "<connection string>" [count] [limit per second]
var connectionString = args.Length > 0 ? args[0] : throw new ArgumentException("Pass a connection string to an empty database.");
var count = args.Length > 1 ? int.Parse(args[1]) : 10_000;
var limit = args.Length > 2 ? int.Parse(args[2]) : 100;
const int Dispatchers = 2;
var lead = TimeSpan.FromHours(2);
// The window must hold the herd at the limit (count / limit seconds), with room to spare.
var window = TimeSpan.FromSeconds(Math.Ceiling(count / (double)limit * 1.25));
var provider = new RecordingProvider(latency: TimeSpan.FromMilliseconds(2));

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["Email:Server"] = "smtp://127.0.0.1:1",
    // Each instance's share of the provider's limit, less one: a limiter spaced at r a second lets r + 1 fall
    // in one second when the second's edges meet two sends, and the instances do not coordinate.
    ["Email:MaxPerSecond"] = (limit / Dispatchers - 1).ToString(),
    ["Notifications:Reminders:Leads:0"] = lead.ToString(),
    ["Notifications:Reminders:Window"] = window.ToString(),
    ["Notifications:Dispatch:PollInterval"] = "00:00:01",
    ["Notifications:Links:WebApp"] = "http://web.bench",
    ["Notifications:Links:Gateway"] = "http://gateway.bench",
    ["Sms:Provider"] = "Fake",
});
builder.Services.AddLogging(logging => logging.AddSimpleConsole().SetMinimumLevel(LogLevel.Warning)
    .AddFilter("Microsoft.EntityFrameworkCore.Database.Connection", LogLevel.None)); // the first migration finds no database yet, and makes it
builder.Services.AddDbContext<NotificationDbContext>(o => o.UseNpgsql(connectionString).UseSnakeCaseNamingConvention());
builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section);
builder.Services.AddOptions<SmsOptions>().BindConfiguration(SmsOptions.Section);
builder.Services.AddOptions<DispatchOptions>().BindConfiguration(DispatchOptions.Section);
builder.Services.AddOptions<ReminderOptions>().BindConfiguration(ReminderOptions.Section);
builder.Services.AddOptions<NotificationLinks>().BindConfiguration(NotificationLinks.Section);
builder.Services.AddSingleton(TimeProvider.System);
builder.Services.AddSingleton<FakeSmsSender>().AddSingleton<ISmsSender>(s => s.GetRequiredService<FakeSmsSender>());
builder.Services.AddSingleton<IEmailSender>(provider);
builder.Services.AddMemoryCache();
builder.Services.AddHttpClient<ClinicDirectory>(http => http.BaseAddress = new Uri("http://gateway")).ConfigurePrimaryHttpMessageHandler(() => new PublicDetails());
using var host = builder.Build();
await using (var scope = host.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<NotificationDbContext>().Database.MigrateAsync();
}

// The herd: appointments all starting at one minute, confirmed through the consumer's own code; their
// reminders are due together, their window opens a little after the set-up is done.
var setUp = Stopwatch.StartNew();
var startsAt = DateTimeOffset.UtcNow + lead + window + TimeSpan.FromSeconds(Math.Max(30, count / 200));
startsAt = startsAt.AddTicks(-(startsAt.Ticks % TimeSpan.TicksPerMinute)).AddMinutes(1);
var reminders = host.Services.GetRequiredService<IOptions<ReminderOptions>>().Value;
for (var first = 1; first <= count; first += 500)
{
    await using var scope = host.Services.CreateAsyncScope();
    var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
    await using var transaction = await db.Database.BeginTransactionAsync();
    for (var id = first; id < first + 500 && id <= count; id++)
    {
        await db.Database.ExecuteSqlInterpolatedAsync($"""
            INSERT INTO recipients (customer_id, name, email, phone, is_active, changed_at)
            VALUES ({(long)id}, {"Patient " + id}, {$"patient{id}@bench.test"}, NULL, true, now())
            """);
        var change = new BookingStatusChanged(id, id, 64, id, 1, startsAt, startsAt.AddMinutes(15), BookingStatus.Confirmed, 2, DateTimeOffset.UtcNow, null, "Europe/Berlin");
        await BookingStatusChangesConsumer.RecordAsync(db, change, reminders, DateTimeOffset.UtcNow, CancellationToken.None);
    }
    await transaction.CommitAsync();
}
// The confirmations went out when the bookings were made, long before the herd: only the reminders are measured.
await using (var scope = host.Services.CreateAsyncScope())
{
    await scope.ServiceProvider.GetRequiredService<NotificationDbContext>().Database.ExecuteSqlRawAsync(
        "UPDATE notifications SET status = 'Sent', sent_at = now() WHERE kind <> 'Reminder'");
}
var dueAt = startsAt - lead;
var opensAt = dueAt - window;
Console.WriteLine($"{count} reminders due at {dueAt:HH:mm:ss} UTC (window opens {opensAt:HH:mm:ss}, {window.TotalSeconds:0} s before), " +
    $"set up in {setUp.Elapsed.TotalSeconds:0.0} s; {Dispatchers} dispatchers, provider limit {limit}/s ({limit / Dispatchers - 1}/s each)");

// Two instances, each with its own dispatcher and its own share of the limit.
var dispatchers = Enumerable.Range(0, Dispatchers).Select(_ => ActivatorUtilities.CreateInstance<NotificationDispatcher>(host.Services)).ToList();
using var stop = new CancellationTokenSource();
var running = dispatchers.Select(d => d.StartAsync(stop.Token)).ToList();
var deadline = dueAt + TimeSpan.FromMinutes(2);
while (provider.Count < count && DateTimeOffset.UtcNow < deadline)
{
    await Task.Delay(500);
}
await Task.Delay(TimeSpan.FromSeconds(3)); // anything sent twice would show by now
foreach (var dispatcher in dispatchers)
{
    await dispatcher.StopAsync(CancellationToken.None);
}

await using (var scope = host.Services.CreateAsyncScope())
{
    var db = scope.ServiceProvider.GetRequiredService<NotificationDbContext>();
    var rows = await db.Notifications.AsNoTracking().Where(n => n.Kind == NotificationKind.Reminder && n.Channel == NotificationChannel.Email).ToListAsync();
    var sent = provider.Sent.ToList();
    var first = sent.Min(s => s.At);
    var last = sent.Max(s => s.At);
    var peak = sent.GroupBy(s => s.At.ToUnixTimeSeconds()).Max(g => g.Count());
    var ids = sent.Select(s => s.MessageId).ToList();
    var byId = rows.ToDictionary(r => $"notification-{r.Id}@clinicbooking");
    var early = sent.Count(s => byId.TryGetValue(s.MessageId, out var r) && s.At < r.NotBefore);
    var late = sent.Count(s => byId.TryGetValue(s.MessageId, out var r) && s.At > r.DueAt);
    Console.WriteLine($"sent {ids.Distinct().Count()} of {count} (rows sent: {rows.Count(r => r.Status == NotificationStatus.Sent)}), " +
        $"first {(first - opensAt).TotalSeconds:0.0} s after the window opened, all in {(last - first).TotalSeconds:0.0} s, " +
        $"last {(dueAt - last).TotalSeconds:0.0} s before due");
    Console.WriteLine($"peak rate {peak}/s against the limit {limit}/s; mean {ids.Count / Math.Max(1, (last - first).TotalSeconds):0.0}/s");
    Console.WriteLine($"before their window: {early} (must be 0); after their due time: {late} (must be 0); duplicates: {ids.Count - ids.Distinct().Count()} (must be 0)");
    return ids.Distinct().Count() == count && early == 0 && late == 0 && ids.Count == ids.Distinct().Count() && peak <= limit ? 0 : 1;
}

/// <summary>A provider that takes a moment per mail (as a relay on the same network would) and notes when it got each.</summary>
internal sealed class RecordingProvider(TimeSpan latency) : IEmailSender
{
    public ConcurrentQueue<(string MessageId, DateTimeOffset At)> Sent { get; } = new();

    public int Count => Sent.Count;

    public async Task SendAsync(EmailMessage message, CancellationToken ct)
    {
        await Task.Delay(latency, ct);
        Sent.Enqueue((message.MessageId, DateTimeOffset.UtcNow));
    }
}

/// <summary>The gateway's public answers about the clinic and the doctor.</summary>
internal sealed class PublicDetails : HttpMessageHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        object body = request.RequestUri!.AbsolutePath.StartsWith("/clinics/", StringComparison.Ordinal)
            ? new ClinicResponse(64, 0, "Herd Clinic", "Europe/Berlin", "1 Busy Street", true, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow)
            : new DoctorResponse(1, 64, "Dr Herd", "General practice", true, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), System.Text.Encoding.UTF8, "application/json"),
        });
    }
}
