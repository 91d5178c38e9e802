using ClinicBooking.ClinicService.Availability;
using ClinicBooking.ClinicService.Bookings;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Clinics;
using ClinicBooking.ClinicService.Doctors;
using ClinicBooking.ClinicService.Outbox;
using ClinicBooking.ClinicService.Retention;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.DoctorSlots;
using ClinicBooking.ClinicService.TimeSlots;
using ClinicBooking.ClinicService.Slots;

namespace ClinicBooking.ClinicService.Extensions;

public static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddApiDefaults<CellOptions>();
        builder.AddDefaultAuthentication();
        builder.Services.AddEndpointAccess();
        builder.AddSharding();
        builder.AddClinicCaching();
        builder.AddSlotGeneration();
        builder.AddBookingOutbox();
        builder.AddBookings();
        builder.AddRetention(typeof(Retention.PastFreeSlotsRetention), typeof(Retention.EndedBookingsRetention));
    }

    /// <summary>
    /// Every resource's endpoints, each request validated before anything else runs (as it is bound); then
    /// clinic-scoped ones enter the shard their id names.
    /// </summary>
    public static WebApplication MapClinicServiceApi(this WebApplication app)
    {
        var api = app.MapGroup("").WithRequestValidation();
        api.MapClinicsApi();
        api.MapDoctorsApi();
        api.MapDoctorAbsencesApi();
        api.MapTimeSlotsApi();
        api.MapDoctorSlotsApi();
        api.MapBookingSlotsApi();
        api.MapBookingsApi();
        api.MapAvailabilityApi();
        app.MapDeadLetters().AdministratorsAndServices();
        app.MapReplicaOperations();
        app.MapOutboxOperations<Data.BookingOutboxMessage>().AdministratorsAndServices();
        return app;
    }
}
