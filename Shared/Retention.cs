using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace ClinicBooking.Shared;

/// <summary>How long the services keep what is over (section <c>Retention</c>, the same keys in every service).</summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>A booking slot that is over and free (never booked, or its bookings ended) is removed this long after it ended.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan PastFreeSlots { get; set; } = TimeSpan.FromDays(30);

    /// <summary>A booking that never became an appointment (rejected or expired) is removed this long after it ended, everywhere.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "3650.00:00:00")]
    public TimeSpan EndedWithoutAppointment { get; set; } = TimeSpan.FromDays(90);

    /// <summary>How often the rules run; they also run once at start.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);
}

/// <summary>
/// One kind of thing a service removes once it is old enough, by the database's clock, in batches (so a backlog
/// never holds a long lock). Removing twice is harmless, so every instance of a service may run it.
/// </summary>
internal interface IRetentionRule
{
    /// <summary>What it removes, for the log ("past free booking slots").</summary>
    string What { get; }

    /// <summary>Removes what is old enough under <paramref name="options"/>; how many rows it removed.</summary>
    Task<long> ApplyAsync(RetentionOptions options, CancellationToken ct);
}

/// <summary>Runs the service's retention rules at start and then every <see cref="RetentionOptions.Interval"/>.</summary>
internal sealed class RetentionRunner(IEnumerable<IRetentionRule> rules, IOptions<RetentionOptions> options, TimeProvider clock,
    ILogger<RetentionRunner> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, clock);
        do
        {
            foreach (var rule in rules)
            {
                try
                {
                    var removed = await rule.ApplyAsync(options.Value, stoppingToken);
                    logger.LogInformation("Retention removed {Count} {What}", removed, rule.What);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(ex, "Retention of {What} failed; trying again at its next run", rule.What);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

internal static class RetentionExtensions
{
    /// <summary>The retention building block with the service's rules (section <c>Retention</c>).</summary>
    public static IHostApplicationBuilder AddRetention(this IHostApplicationBuilder builder, params Type[] rules)
    {
        builder.Services.AddOptions<RetentionOptions>().BindConfiguration(RetentionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        foreach (var rule in rules)
        {
            builder.Services.AddSingleton(typeof(IRetentionRule), rule);
        }
        builder.Services.AddHostedService<RetentionRunner>();
        return builder;
    }
}
