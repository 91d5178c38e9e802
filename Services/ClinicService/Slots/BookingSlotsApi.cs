using System.Security.Claims;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Slots;

/// <summary>Booking slots one at a time, and their generation from templates on demand.</summary>
public static class BookingSlotsApi
{
    public static IEndpointRouteBuilder MapBookingSlotsApi(this IEndpointRouteBuilder app)
    {
        var slots = app.MapGroup("/bookingSlots").WithTags("Booking slots")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        // The doctor's id is in the body: the handler enters its shard.
        slots.MapPost("/", CreateBookingSlot);
        var slot = slots.MapGroup("/{id:long}").ForShardOf("id", scoped: true, Missing.BookingSlot).ClinicStaff("id", scoped: true);
        slot.MapGet("/", GetBookingSlot);
        slot.MapPut("/", MoveBookingSlot);
        slot.MapDelete("/", DeleteBookingSlot);

        app.MapGet("/doctors/{doctorId:long}/bookingSlots", ListDoctorBookingSlots).WithTags("Booking slots")
            .ForShardOf("doctorId", scoped: true, Missing.Doctor).ClinicStaff("doctorId", scoped: true)
            .ProducesProblem(StatusCodes.Status404NotFound);
        app.MapPost("/availability/createBookingSlots", CreateBookingSlots).WithTags("Availability")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Ok<BookingSlotResponse>> GetBookingSlot(long id, ShardScope shard, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        var found = await (
            from s in shard.Db.BookingSlots.AsNoTracking()
            join c in shard.Db.Clinics on s.ClinicId equals c.Id
            where s.ClinicId == clinicId && s.Id == id
            select new { Slot = s, c.TimeZone }).FirstOrDefaultAsync(ct) ?? throw Missing.BookingSlot(id);
        return TypedResults.Ok(found.Slot.ToResponse(found.TimeZone));
    }

    public static async Task<Ok<List<BookingSlotResponse>>> ListDoctorBookingSlots(
        long doctorId, [AsParameters] DateRangeQuery range, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(doctorId);
        var timeZone = await services.Db.DoctorTimeZoneAsync(doctorId, ct) ?? throw Missing.Doctor(doctorId);
        var (start, end) = range.Resolve(SlotTimes.Today(timeZone, services.Clock), defaultDays: 14, SlotLimits.MaxRangeDays);
        var slots = await services.Db.BookingSlots.AsNoTracking()
            .Where(s => s.ClinicId == clinicId && s.DoctorId == doctorId && s.Date >= start && s.Date <= end)
            .OrderBy(s => s.StartsAt)
            .ToListAsync(ct);
        return TypedResults.Ok(slots.Select(s => s.ToResponse(timeZone)).ToList());
    }

    /// <summary>Creates one slot by hand for a doctor's shift on a date, whether or not a template covers it.</summary>
    public static async Task<Created<BookingSlotResponse>> CreateBookingSlot(
        CreateBookingSlotRequest request, [AsParameters] ShardServices services, ClaimsPrincipal user, CancellationToken ct)
    {
        var doctorId = request.DoctorId!.Value;
        Access.RequireClinic(user, ClinicIds.ClinicOf(doctorId), $"Doctor {doctorId} does not exist.");
        services.Shard.Enter(doctorId, scoped: true, Missing.Doctor);
        var clinicId = ClinicIds.ClinicOf(doctorId);
        _ = await services.Db.Doctors.AsNoTracking().FirstOrDefaultAsync(d => d.ClinicId == clinicId && d.Id == doctorId, ct)
            ?? throw Missing.Doctor(doctorId);
        var slot = new BookingSlot { ClinicId = clinicId, DoctorId = doctorId, CreatedAt = services.Clock.UtcNowMicroseconds() };
        var timeZone = await PlaceAsync(services, slot, request.TimeSlotId!.Value, request.Date!.Value, ct);
        services.Db.BookingSlots.Add(slot);
        await services.Db.SaveChangesAsync(ct);
        return TypedResults.Created($"/bookingSlots/{slot.Id}", slot.ToResponse(timeZone));
    }

    /// <summary>Moves a free slot to another shift or date of the same doctor. A booked slot is not moved.</summary>
    public static async Task<Ok<BookingSlotResponse>> MoveBookingSlot(
        long id, UpdateBookingSlotRequest request, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        var slot = await services.Db.BookingSlots.FirstOrDefaultAsync(s => s.ClinicId == clinicId && s.Id == id, ct)
            ?? throw Missing.BookingSlot(id);
        if (slot.CustomerId is not null)
        {
            throw ProblemException.Conflict($"Booking slot {id} is booked; cancel the booking before moving it.");
        }
        var timeZone = await PlaceAsync(services, slot, request.TimeSlotId!.Value, request.Date!.Value, ct);
        await services.Db.SaveChangesAsync(ct);
        return TypedResults.Ok(slot.ToResponse(timeZone));
    }

    /// <summary>Removes a free slot; a booked one is refused with 409 (the database refuses it too, by its row version).</summary>
    public static async Task<NoContent> DeleteBookingSlot(long id, ShardScope shard, ClinicCache cache, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        if (!await shard.Db.BookingSlots.AnyAsync(s => s.ClinicId == clinicId && s.Id == id, ct))
        {
            throw Missing.BookingSlot(id);
        }
        // Conditional on being free at the moment of the delete, so a booking that lands meanwhile wins.
        var deleted = await shard.Db.BookingSlots
            .Where(s => s.ClinicId == clinicId && s.Id == id && s.CustomerId == null)
            .ExecuteDeleteAsync(ct);
        if (deleted == 0)
        {
            throw ProblemException.Conflict($"Booking slot {id} is booked; cancel the booking before removing it.");
        }
        await cache.InvalidateClinicAsync(clinicId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Generates a clinic's slots from its templates for a date range (clinic-local dates).</summary>
    public static async Task<Ok<CreateBookingSlotsResponse>> CreateBookingSlots(
        CreateBookingSlotsRequest request, [AsParameters] ShardServices services, SlotGenerator generator,
        IOptions<SlotGenerationOptions> options, ClaimsPrincipal user, CancellationToken ct)
    {
        var clinicId = request.ClinicId!.Value;
        Access.RequireClinic(user, clinicId, $"Clinic {clinicId} does not exist.");
        services.Shard.Enter(clinicId, scoped: false, Missing.Clinic);
        var clinic = await services.Db.Clinics.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clinicId, ct) ?? throw Missing.Clinic(clinicId);
        // Without dates: the same horizon as the recurring job, from today in the clinic's time zone by the
        // database's clock (the one clock of the system's rules; a cell's own may run ahead or behind).
        var now = await services.Db.Database.SqlQuery<DateTimeOffset>($"SELECT now() AS \"Value\"").SingleAsync(ct);
        var (from, to) = request.Range.Resolve(SlotTimes.Today(clinic.TimeZone, now), options.Value.HorizonDays, SlotLimits.MaxRangeDays);
        if (request.DoctorId is { } doctorId && !await services.Db.Doctors.AnyAsync(d => d.ClinicId == clinicId && d.Id == doctorId, ct))
        {
            throw Missing.Doctor(doctorId);
        }
        if (!clinic.IsActive)
        {
            throw ProblemException.Conflict($"Clinic {clinicId} is not active.");
        }
        var created = await generator.GenerateAsync(services.Shard.Shard, clinicId, request.DoctorId, from, to, ct)
            ?? throw ProblemException.Conflict("Slot generation is already running for this clinic; retry in a moment.");
        return TypedResults.Ok(new CreateBookingSlotsResponse(clinicId, from, to, request.DoctorId, created));
    }

    /// <summary>
    /// Sets the slot's time slot, date and instants, checking the time slot and that the slot lies ahead;
    /// returns the clinic's time zone.
    /// </summary>
    private static async Task<string> PlaceAsync(
        ShardServices services, BookingSlot slot, long timeSlotId, DateOnly date, CancellationToken ct)
    {
        var shift = await (
            from t in services.Db.TimeSlots
            join c in services.Db.Clinics on t.ClinicId equals c.Id
            where t.ClinicId == slot.ClinicId && t.Id == timeSlotId
            select new { t.StartTime, t.EndTime, t.IsActive, c.TimeZone }).FirstOrDefaultAsync(ct)
            ?? throw ProblemException.NotFound($"Time slot {timeSlotId} does not exist in clinic {slot.ClinicId}.");
        if (!shift.IsActive)
        {
            throw ProblemException.Conflict($"Time slot {timeSlotId} is not active.");
        }
        // A day the clinic marked the doctor away gets no slot, by hand or by generation.
        if (await services.Db.DoctorAbsences.AnyAsync(a => a.ClinicId == slot.ClinicId && a.DoctorId == slot.DoctorId
                && a.FromDate <= date && a.ToDate >= date, ct))
        {
            throw ProblemException.Conflict($"Doctor {slot.DoctorId} is marked away on {date:yyyy-MM-dd}: no slot can be placed on that day.");
        }
        var (start, end) = SlotTimes.Resolve(date, shift.StartTime, shift.EndTime, shift.TimeZone);
        // "Started" by the database's clock, which every other rule about slots and bookings reads.
        if (start <= await services.Db.Database.SqlQuery<DateTimeOffset>($"SELECT now() AS \"Value\"").SingleAsync(ct))
        {
            throw ProblemException.Conflict($"The {date:yyyy-MM-dd} shift has already started; slots are only created ahead.");
        }
        slot.TimeSlotId = timeSlotId;
        slot.Date = date;
        slot.StartsAt = start;
        slot.EndsAt = end;
        var terms = await SlotTerms.OfAsync(services.Db, slot.ClinicId, slot.DoctorId, timeSlotId, date, ct);
        (slot.Mode, slot.PriceAmount, slot.PriceCurrency) = (terms.Mode, terms.PriceAmount, terms.PriceCurrency);
        return shift.TimeZone;
    }
}
