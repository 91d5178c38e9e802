using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;

namespace ClinicBooking.ClinicService.Apis;

/// <summary>Booking slots one at a time, and their generation from templates on demand.</summary>
public static class BookingSlotsApi
{
    /// <summary>The widest date range one request may generate or list.</summary>
    public const int MaxRangeDays = 62;

    public static IEndpointRouteBuilder MapBookingSlotsApi(this IEndpointRouteBuilder app)
    {
        var slots = app.MapGroup("/bookingSlots").WithTags("Booking slots");
        slots.MapGet("/{id:long}", GetBookingSlot);
        slots.MapPost("/", CreateBookingSlot);
        slots.MapPut("/{id:long}", MoveBookingSlot);
        slots.MapDelete("/{id:long}", DeleteBookingSlot);

        app.MapGet("/doctors/{doctorId:long}/bookingSlots", ListDoctorBookingSlots).WithTags("Booking slots");
        app.MapPost("/availability/createBookingSlots", CreateBookingSlots).WithTags("Availability");
        return app;
    }

    public static async Task<Results<Ok<BookingSlotResponse>, ProblemHttpResult>> GetBookingSlot(
        long id, ShardDatabases shards, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var clinicId = ClinicIds.ClinicOf(id);
        var found = db is null ? null : await (
            from s in db.DoctorBookingSlots.AsNoTracking()
            join c in db.Clinics on s.ClinicId equals c.Id
            where s.ClinicId == clinicId && s.Id == id
            select new { Slot = s, c.TimeZone }).FirstOrDefaultAsync(ct);
        return found is null ? BookingSlotNotFound(id) : TypedResults.Ok(ToResponse(found.Slot, found.TimeZone));
    }

    public static async Task<Results<Ok<List<BookingSlotResponse>>, ValidationProblem, ProblemHttpResult>> ListDoctorBookingSlots(
        long doctorId, ShardDatabases shards, TimeProvider clock, CancellationToken ct, DateOnly? from = null, DateOnly? to = null)
    {
        await using var db = shards.ForScopedId(doctorId);
        var clinicId = ClinicIds.ClinicOf(doctorId);
        var timeZone = db is null ? null : await (
            from d in db.Doctors
            join c in db.Clinics on d.ClinicId equals c.Id
            where d.ClinicId == clinicId && d.Id == doctorId
            select c.TimeZone).FirstOrDefaultAsync(ct);
        if (db is null || timeZone is null)
        {
            return DoctorsApi.DoctorNotFound(doctorId);
        }
        var (start, end, errors) = DateRange.Resolve(from, to, SlotTimes.Today(timeZone, clock), defaultDays: 14, MaxRangeDays);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        var slots = await db.DoctorBookingSlots.AsNoTracking()
            .Where(s => s.ClinicId == clinicId && s.DoctorId == doctorId && s.Date >= start && s.Date <= end)
            .OrderBy(s => s.StartsAt)
            .ToListAsync(ct);
        return TypedResults.Ok(slots.Select(s => ToResponse(s, timeZone)).ToList());
    }

    /// <summary>Creates one slot by hand for a doctor's shift on a date, whether or not a template covers it.</summary>
    public static async Task<Results<Created<BookingSlotResponse>, ValidationProblem, ProblemHttpResult>> CreateBookingSlot(
        CreateBookingSlotRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.DoctorId is null) errors["doctorId"] = ["doctorId is required."];
        if (request.TimeSlotId is null) errors["timeSlotId"] = ["timeSlotId is required."];
        if (request.Date is null) errors["date"] = ["date is required, as yyyy-MM-dd in the clinic's time zone."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }

        var doctorId = request.DoctorId!.Value;
        await using var db = shards.ForScopedId(doctorId);
        var clinicId = ClinicIds.ClinicOf(doctorId);
        var doctor = db is null ? null : await db.Doctors.AsNoTracking().FirstOrDefaultAsync(d => d.ClinicId == clinicId && d.Id == doctorId, ct);
        if (db is null || doctor is null)
        {
            return DoctorsApi.DoctorNotFound(doctorId);
        }
        var slot = new DoctorBookingSlot { ClinicId = clinicId, DoctorId = doctorId, CreatedAt = clock.UtcNowMicroseconds() };
        if (await PlaceAsync(db, slot, request.TimeSlotId!.Value, request.Date!.Value, clock, ct) is { } problem)
        {
            return problem;
        }
        db.DoctorBookingSlots.Add(slot);
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        var timeZone = await db.Clinics.Where(c => c.Id == clinicId).Select(c => c.TimeZone).SingleAsync(ct);
        return TypedResults.Created($"/bookingSlots/{slot.Id}", ToResponse(slot, timeZone));
    }

    /// <summary>Moves a free slot to another shift or date of the same doctor. A booked slot is not moved.</summary>
    public static async Task<Results<Ok<BookingSlotResponse>, ValidationProblem, ProblemHttpResult>> MoveBookingSlot(
        long id, UpdateBookingSlotRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var clinicId = ClinicIds.ClinicOf(id);
        var slot = db is null ? null : await db.DoctorBookingSlots.FirstOrDefaultAsync(s => s.ClinicId == clinicId && s.Id == id, ct);
        if (db is null || slot is null)
        {
            return BookingSlotNotFound(id);
        }
        var errors = new Dictionary<string, string[]>();
        if (request.TimeSlotId is null) errors["timeSlotId"] = ["timeSlotId is required."];
        if (request.Date is null) errors["date"] = ["date is required, as yyyy-MM-dd in the clinic's time zone."];
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (slot.CustomerId is not null)
        {
            return Problems.Conflict($"Booking slot {id} is booked; cancel the booking before moving it.");
        }
        if (await PlaceAsync(db, slot, request.TimeSlotId!.Value, request.Date!.Value, clock, ct) is { } problem)
        {
            return problem;
        }
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        var timeZone = await db.Clinics.Where(c => c.Id == clinicId).Select(c => c.TimeZone).SingleAsync(ct);
        return TypedResults.Ok(ToResponse(slot, timeZone));
    }

    /// <summary>Removes a free slot; a booked one is refused with 409 (the database refuses it too, by its row version).</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteBookingSlot(
        long id, ShardDatabases shards, HybridCache cache, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var clinicId = ClinicIds.ClinicOf(id);
        var slot = db is null ? null : await db.DoctorBookingSlots.AsNoTracking().FirstOrDefaultAsync(s => s.ClinicId == clinicId && s.Id == id, ct);
        if (db is null || slot is null)
        {
            return BookingSlotNotFound(id);
        }
        // Conditional on being free at the moment of the delete, so a booking that lands meanwhile wins.
        var deleted = await db.DoctorBookingSlots
            .Where(s => s.ClinicId == clinicId && s.Id == id && s.CustomerId == null)
            .ExecuteDeleteAsync(ct);
        if (deleted == 0)
        {
            return Problems.Conflict($"Booking slot {id} is booked; cancel the booking before removing it.");
        }
        await cache.InvalidateClinicAsync(clinicId, ct);
        return TypedResults.NoContent();
    }

    /// <summary>Generates a clinic's slots from its templates for a date range (clinic-local dates).</summary>
    public static async Task<Results<Ok<CreateBookingSlotsResponse>, ValidationProblem, ProblemHttpResult>> CreateBookingSlots(
        CreateBookingSlotsRequest request, ShardDatabases shards, SlotGenerator generator,
        Microsoft.Extensions.Options.IOptions<SlotGenerationOptions> options, TimeProvider clock, CancellationToken ct)
    {
        if (request.ClinicId is not { } clinicId)
        {
            return Problems.Validation(new Dictionary<string, string[]> { ["clinicId"] = ["clinicId is required."] });
        }
        await using var db = shards.ForClinic(clinicId);
        var clinic = db is null ? null : await db.Clinics.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clinicId, ct);
        if (db is null || clinic is null)
        {
            return ClinicsApi.ClinicNotFound(clinicId);
        }
        // Without dates: the same horizon as the recurring job, from today in the clinic's time zone.
        var (from, to, errors) = DateRange.Resolve(request.From, request.To, SlotTimes.Today(clinic.TimeZone, clock),
            defaultDays: options.Value.HorizonDays, MaxRangeDays);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (request.DoctorId is { } doctorId && !await db.Doctors.AnyAsync(d => d.ClinicId == clinicId && d.Id == doctorId, ct))
        {
            return DoctorsApi.DoctorNotFound(doctorId);
        }
        if (!clinic.IsActive)
        {
            return Problems.Conflict($"Clinic {clinicId} is not active.");
        }

        var created = await generator.GenerateAsync(ClinicIds.ShardOfClinic(clinicId), clinicId, request.DoctorId, from, to, ct);
        if (created is null)
        {
            return Problems.Conflict("Slot generation is already running for this shard; retry in a moment.");
        }
        return TypedResults.Ok(new CreateBookingSlotsResponse(clinicId, from, to, request.DoctorId, created.Value));
    }

    /// <summary>Sets the slot's time slot, date and instants, checking the time slot and that the slot lies ahead.</summary>
    private static async Task<ProblemHttpResult?> PlaceAsync(
        ClinicDbContext db, DoctorBookingSlot slot, long timeSlotId, DateOnly date, TimeProvider clock, CancellationToken ct)
    {
        var shift = await (
            from t in db.TimeSlots
            join c in db.Clinics on t.ClinicId equals c.Id
            where t.ClinicId == slot.ClinicId && t.Id == timeSlotId
            select new { t.StartTime, t.EndTime, t.IsActive, c.TimeZone }).FirstOrDefaultAsync(ct);
        if (shift is null)
        {
            return Problems.NotFound($"Time slot {timeSlotId} does not exist in clinic {slot.ClinicId}.");
        }
        if (!shift.IsActive)
        {
            return Problems.Conflict($"Time slot {timeSlotId} is not active.");
        }
        var (start, end) = SlotTimes.Resolve(date, shift.StartTime, shift.EndTime, shift.TimeZone);
        if (start <= clock.GetUtcNow())
        {
            return Problems.Conflict($"The {date:yyyy-MM-dd} shift has already started; slots are only created ahead.");
        }
        slot.TimeSlotId = timeSlotId;
        slot.Date = date;
        slot.StartsAt = start;
        slot.EndsAt = end;
        return null;
    }

    public static BookingSlotResponse ToResponse(DoctorBookingSlot s, string timeZone) =>
        new(s.Id, s.ClinicId, s.DoctorId, s.TimeSlotId, s.Date,
            SlotTimes.ToClinicTime(s.StartsAt, timeZone), SlotTimes.ToClinicTime(s.EndsAt, timeZone), s.CustomerId is not null);

    public static ProblemHttpResult BookingSlotNotFound(long id) => Problems.NotFound($"Booking slot {id} does not exist.");
}

/// <summary>Date ranges of slot queries: defaults, order and a maximum length.</summary>
public static class DateRange
{
    public static (DateOnly From, DateOnly To, Dictionary<string, string[]> Errors) Resolve(
        DateOnly? from, DateOnly? to, DateOnly today, int defaultDays, int maxDays)
    {
        var errors = new Dictionary<string, string[]>();
        var start = from ?? today;
        var end = to ?? start.AddDays(defaultDays - 1);
        if (end < start)
        {
            errors["to"] = ["to must not be before from."];
        }
        else if (end.DayNumber - start.DayNumber + 1 > maxDays)
        {
            errors["to"] = [$"The range may span at most {maxDays} days."];
        }
        return (start, end, errors);
    }
}
