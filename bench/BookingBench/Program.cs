using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

// Books distinct free slots through the gateway at each concurrency level for a fixed time and prints
// confirmed bookings/s with p50/p99 latency. Seeds its own clinics, slots and customers through the API.
// Usage: BookingBench <gateway-url> <seconds-per-level> <levels, e.g. 1,16,64> [warm-up seconds]
var gateway = new Uri(args.Length > 0 ? args[0] : "http://127.0.0.1:5080");
var seconds = args.Length > 1 ? int.Parse(args[1]) : 10;
var levels = (args.Length > 2 ? args[2] : "1,16,64").Split(',').Select(int.Parse).ToArray();
var warmUp = args.Length > 3 ? int.Parse(args[3]) : 30;

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(10) })
{
    BaseAddress = gateway,
    Timeout = TimeSpan.FromSeconds(30),
};
// Signed in, as every client is: the administrator seeds, and books for the customers it created, so each
// request carries a token the gateway and the services validate (bench/start-app.sh gets it).
if (Environment.GetEnvironmentVariable("ADMIN_TOKEN") is { Length: > 0 } token)
{
    http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
}

var (slots, customers) = await SeedAsync(http);
Console.WriteLine($"seeded {slots.Count} free slots in {slots.Select(s => s >> 30).Distinct().Count()} clinics, {customers.Count} customers");
var queue = new ConcurrentQueue<long>(slots.OrderBy(_ => Random.Shared.Next()));
var booked = new ConcurrentBag<long>();

// Warm-up, not measured: connection pools, queues, and the JIT, which on 2 busy cores needs most of a
// minute of traffic before the hot paths run as optimized code.
var warm = await RunAsync(http, queue, customers, booked, clients: 16, TimeSpan.FromSeconds(warmUp));
Console.WriteLine($"warm-up {warmUp} s at 16 clients: {warm.Confirmed / warm.Elapsed.TotalSeconds:F0} confirmed bookings/s");
foreach (var clients in levels)
{
    Console.WriteLine($"level {clients} starts"); // run-booking.sh samples the processes' CPU from here
    var result = await RunAsync(http, queue, customers, booked, clients, TimeSpan.FromSeconds(seconds));
    Console.WriteLine($"clients {clients,3}: {result.Confirmed / result.Elapsed.TotalSeconds,7:F0} confirmed bookings/s, " +
        $"p50 {result.Percentile(0.50),6:F1} ms, p99 {result.Percentile(0.99),6:F1} ms, " +
        $"requests {result.Latencies.Count}, statuses {string.Join(" ", result.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}"))}");
    Console.WriteLine($"RESULT {clients} {result.Confirmed / result.Elapsed.TotalSeconds:F1} {result.Percentile(0.50):F1} {result.Percentile(0.99):F1} {result.Statuses.Where(s => s.Key >= 500).Sum(s => s.Value)}");
    Console.WriteLine($"ADMITTED {clients} {result.Admitted.Count / result.Elapsed.TotalSeconds:F1} {result.AdmittedPercentile(0.99):F1} " +
        $"{result.ShedShare * 100:F1} {result.Statuses.Where(s => s.Key >= 500 && s.Key != 503).Sum(s => s.Value)}");
}

// For scale: the cheapest request that takes the same path (client, gateway, cell, shard and back), reading
// one of the bookings just made. A booking is this and more: a write, two RabbitMQ messages, CustomerService.
var reads = await ReadAsync(http, booked.ToArray(), clients: 16, TimeSpan.FromSeconds(seconds));
Console.WriteLine($"reads  16: {reads.Latencies.Count / reads.Elapsed.TotalSeconds,7:F0} GET /bookingSlots/{{id}}/booking per s, " +
    $"p50 {reads.Percentile(0.50),6:F1} ms, p99 {reads.Percentile(0.99),6:F1} ms, statuses {string.Join(" ", reads.Statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}:{s.Value}"))}");
Console.WriteLine($"READS 16 {reads.Latencies.Count / reads.Elapsed.TotalSeconds:F1} {reads.Percentile(0.50):F1} {reads.Percentile(0.99):F1}");
return 0;

static Task<Result> ReadAsync(HttpClient http, long[] slots, int clients, TimeSpan duration) =>
    LoadAsync(clients, duration, () => slots.Length == 0 ? null : SendAsync(
        () => http.GetAsync($"/bookingSlots/{slots[Random.Shared.Next(slots.Length)]}/booking")));

static async Task<Result> RunAsync(HttpClient http, ConcurrentQueue<long> queue, List<long> customers, ConcurrentBag<long> booked,
    int clients, TimeSpan duration)
{
    var result = await LoadAsync(clients, duration, () =>
    {
        if (!queue.TryDequeue(out var slot))
        {
            return null;
        }
        var customer = customers[Random.Shared.Next(customers.Count)];
        return SendAsync(async () =>
        {
            // The body is written by hand: the client shares the two cores with what it measures.
            using var body = new StringContent($$"""{"customerId":{{customer}}}""", System.Text.Encoding.UTF8, "application/json");
            var response = await http.PutAsync($"/bookingSlots/{slot}/booking", body);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                booked.Add(slot);
            }
            return response;
        });
    });
    if (queue.IsEmpty)
    {
        Console.WriteLine("warning: ran out of free slots before the time was up; seed more");
    }
    return result;
}

// Sends one request and reads its whole answer; the status is all the bench keeps.
static async Task<HttpStatusCode> SendAsync(Func<Task<HttpResponseMessage>> send)
{
    using var response = await send();
    await response.Content.LoadIntoBufferAsync();
    return response.StatusCode;
}

// Runs `clients` loops side by side for `duration`, each timing one request after another as `next` makes
// them, until it makes none.
static async Task<Result> LoadAsync(int clients, TimeSpan duration, Func<Task<HttpStatusCode>?> next)
{
    var latencies = new ConcurrentBag<double>();
    var admitted = new ConcurrentBag<double>();
    var statuses = new ConcurrentDictionary<int, int>();
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, clients).Select(async _ =>
    {
        while (clock.Elapsed < duration)
        {
            var started = Stopwatch.GetTimestamp();
            if (next() is not { } request)
            {
                return;
            }
            var status = await request;
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            latencies.Add(elapsed);
            // A request the gateway shed (503 or 429) did nothing; the others were admitted and answered.
            if (status is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.TooManyRequests))
            {
                admitted.Add(elapsed);
            }
            statuses.AddOrUpdate((int)status, 1, (_, n) => n + 1);
        }
    }));
    return new Result(statuses.GetValueOrDefault((int)HttpStatusCode.Created), clock.Elapsed, latencies.Order().ToList(), new(statuses),
        admitted.Order().ToList());
}

static async Task<(List<long> Slots, List<long> Customers)> SeedAsync(HttpClient http)
{
    const int clinics = 12, doctorsPerClinic = 60, days = 60;
    var from = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(1);
    var to = from.AddDays(days - 1);
    var slots = new ConcurrentBag<long>();
    await Parallel.ForEachAsync(Enumerable.Range(1, clinics), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (c, ct) =>
    {
        var clinic = await PostAsync(http, "/clinics", new { name = $"Bench clinic {c}", timeZone = "Europe/Berlin" });
        var am = await PostAsync(http, $"/clinics/{clinic}/timeslots", new { name = "Morning", startTime = "09:00", endTime = "12:00" });
        var pm = await PostAsync(http, $"/clinics/{clinic}/timeslots", new { name = "Afternoon", startTime = "13:00", endTime = "17:00" });
        var doctors = new List<long>();
        for (var d = 1; d <= doctorsPerClinic; d++)
        {
            var doctor = await PostAsync(http, $"/clinics/{clinic}/doctors", new { name = $"Dr {c}-{d}", specialization = "General" });
            await PostAsync(http, $"/doctors/{doctor}/slots", new { timeSlotId = am });
            await PostAsync(http, $"/doctors/{doctor}/slots", new { timeSlotId = pm });
            doctors.Add(doctor);
        }
        // One generation per shard at a time: a 409 means another clinic of the shard is being generated, a 503 that
        // the gateway stopped waiting (the generation goes on; running it again creates only what is missing).
        HttpResponseMessage generated;
        while ((generated = await http.PostAsJsonAsync("/availability/createBookingSlots", new { clinicId = clinic, from, to }, ct)).StatusCode
               is HttpStatusCode.Conflict or HttpStatusCode.ServiceUnavailable)
        {
            await Task.Delay(200, ct);
        }
        generated.EnsureSuccessStatusCode();
        foreach (var doctor in doctors)
        {
            var list = await http.GetFromJsonAsync<JsonElement>($"/doctors/{doctor}/bookingSlots?from={from:yyyy-MM-dd}&to={to:yyyy-MM-dd}", ct);
            foreach (var slot in list.EnumerateArray().Where(s => !s.GetProperty("isBooked").GetBoolean()))
            {
                slots.Add(slot.GetProperty("id").GetInt64());
            }
        }
    });
    var customers = new ConcurrentBag<long>();
    await Parallel.ForEachAsync(Enumerable.Range(1, 500), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
        customers.Add(await PostAsync(http, "/customers", new { name = $"Bench customer {i}", email = $"bench-{Guid.NewGuid():N}@example.com" })));
    return (slots.ToList(), customers.ToList());
}

static async Task<long> PostAsync(HttpClient http, string path, object body)
{
    using var response = await http.PostAsJsonAsync(path, body);
    if (!response.IsSuccessStatusCode)
    {
        throw new InvalidOperationException($"POST {path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }
    return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetInt64();
}

internal sealed record Result(int Confirmed, TimeSpan Elapsed, List<double> Latencies, Dictionary<int, int> Statuses, List<double> Admitted)
{
    public double Percentile(double p) => Percentile(Latencies, p);

    public double AdmittedPercentile(double p) => Percentile(Admitted, p);

    public double ShedShare => Latencies.Count == 0 ? 0 : 1 - (double)Admitted.Count / Latencies.Count;

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)];
}
