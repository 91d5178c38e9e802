using System.Linq.Expressions;
using Hangfire;

namespace ClinicBooking.ClinicService.Jobs;

public static class RecurringJobs
{
    /// <summary>
    /// Schedules a recurring Hangfire job (cron from the job's options) and runs it once as soon as the cell has
    /// started: only then do the shards, and so Hangfire's storage in the first one, exist (the migrator runs
    /// at start). Hangfire itself is set up with the slot generation (<c>AddSlotGeneration</c>).
    /// </summary>
    public static WebApplication ScheduleAndRunAtStart<TJob>(this WebApplication app, string id,
        Expression<Func<TJob, Task>> job, Func<IServiceProvider, string> cron)
    {
        app.Lifetime.ApplicationStarted.Register(() =>
        {
            var jobs = app.Services.GetRequiredService<IRecurringJobManager>();
            jobs.AddOrUpdate(id, job, cron(app.Services));
            jobs.Trigger(id);
        });
        return app;
    }
}
