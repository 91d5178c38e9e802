using ClinicBooking.ClinicService.Availability;
using ClinicBooking.ClinicService.Bookings;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Clinics;
using ClinicBooking.ClinicService.Doctors;
using ClinicBooking.ClinicService.Outbox;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Shifts;
using ClinicBooking.ClinicService.Slots;

namespace ClinicBooking.ClinicService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults<CellOptions>();
        builder.AddSharding();
        builder.AddClinicCaching();
        builder.AddSlotGeneration();
        builder.AddOutbox();
        builder.AddBookings();
    }

    /// <summary>Every resource's endpoints; clinic-scoped ones enter the shard their id names.</summary>
    public static WebApplication MapClinicServiceApi(this WebApplication app)
    {
        app.MapClinicsApi();
        app.MapDoctorsApi();
        app.MapTimeSlotsApi();
        app.MapTemplatesApi();
        app.MapBookingSlotsApi();
        app.MapBookingsApi();
        app.MapAvailabilityApi();
        return app;
    }
}
