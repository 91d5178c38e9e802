using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace ClinicBooking.IntegrationTests;

/// <summary>A message a consumer cannot handle, however often it tries, is parked in an _error queue: counted and shown, never silently kept.</summary>
public class DeadLetterTests(ClinicBookingApp app)
{
    private const string Queue = $"{ResourceNames.CustomerService}-customer-bookings";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private readonly BookingApi _api = new(app);

    [Fact]
    public async Task A_status_event_the_customer_copy_refuses_is_dead_lettered_counted_and_turns_health_degraded()
    {
        var customer = await _api.CreateCustomerAsync();
        using var customerService = app.CreateServiceClient(ResourceNames.CustomerService);
        var factory = new ConnectionFactory { Uri = new Uri((await app.App.GetConnectionStringAsync(ResourceNames.RabbitMq, Ct))!) };
        await using var connection = await factory.CreateConnectionAsync(Ct);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        try
        {
            // A status event no cell can send (revision 0): the copy's check constraint refuses it every time.
            var envelope = new
            {
                messageId = Guid.NewGuid(),
                messageType = new[] { "urn:message:ClinicBooking.Messages:BookingStatusChanges" },
                message = new
                {
                    changes = new[]
                    {
                        new
                        {
                            messageId = Guid.NewGuid(),
                            message = new
                            {
                                bookingId = 42L, customerId = customer, clinicId = 64L, bookingSlotId = (long?)null, doctorId = 1L,
                                startsAt = "2030-01-01T09:00:00+01:00", endsAt = "2030-01-01T09:30:00+01:00", status = 1,
                                revision = 0, changedAt = "2029-12-01T09:00:00+00:00", reason = (string?)null, timeZone = "Europe/Berlin",
                            },
                            traceParent = (string?)null,
                        },
                    },
                },
            };
            await channel.BasicPublishAsync(Queue, "", mandatory: false,
                new BasicProperties { ContentType = "application/vnd.masstransit+json", Persistent = true },
                Encoding.UTF8.GetBytes(JsonSerializer.Serialize(envelope)), Ct);

            var report = await WaitForDeadLettersAsync(customerService);

            var parked = report.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("queue").GetString() == Queue);
            Assert.Equal($"{Queue}_error", parked.GetProperty("errorQueue").GetString());
            Assert.Equal(1, parked.GetProperty("messages").GetInt64());
            Assert.Equal(1, report.GetProperty("total").GetInt64());
            Assert.Equal("Degraded", await customerService.GetStringAsync("/health", Ct));
            Assert.Empty(await _api.WaitForCustomerBookingsAsync(customer, _ => false));
        }
        finally
        {
            await PurgeAsync(channel, $"{Queue}_error");
        }
        Assert.Equal(0, (await customerService.GetFromJsonAsync<JsonElement>("/operations/dead-letters", Ct)).GetProperty("total").GetInt64());
        Assert.Equal("Healthy", await customerService.GetStringAsync("/health", Ct));
    }

    private static async Task<JsonElement> WaitForDeadLettersAsync(HttpClient service)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (true)
        {
            var response = await service.GetAsync("/operations/dead-letters", Ct);
            if (response.IsSuccessStatusCode)
            {
                var report = await response.ReadJsonAsync();
                if (report.GetProperty("total").GetInt64() > 0 || DateTime.UtcNow > deadline)
                {
                    return report;
                }
            }
            else if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"GET /operations/dead-letters answered {(int)response.StatusCode}.");
            }
            await Task.Delay(250, Ct);
        }
    }

    private static async Task PurgeAsync(IChannel channel, string queue)
    {
        try
        {
            await channel.QueuePurgeAsync(queue, Ct);
        }
        catch (OperationInterruptedException)
        {
            // The queue was never created: nothing was dead-lettered.
        }
    }
}
