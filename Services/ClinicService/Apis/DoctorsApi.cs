using System.Text.Json.Nodes;
using ClinicBooking.ClinicService.Infrastructure;
using ClinicBooking.ClinicService.Model;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace ClinicBooking.ClinicService.Apis;

public static class DoctorsApi
{
    private static readonly string[] PatchableFields = ["name", "specialization", "isActive"];

    public static IEndpointRouteBuilder MapDoctorsApi(this IEndpointRouteBuilder app)
    {
        var clinicDoctors = app.MapGroup("/clinics/{clinicId:long}/doctors").WithTags("Doctors");
        clinicDoctors.MapGet("/", ListDoctors);
        clinicDoctors.MapPost("/", CreateDoctor);

        var doctors = app.MapGroup("/doctors").WithTags("Doctors");
        doctors.MapGet("/{id:long}", GetDoctor);
        doctors.MapPut("/{id:long}", ReplaceDoctor);
        doctors.MapPatch("/{id:long}", PatchDoctor).Accepts<JsonObject>(JsonMergePatch.MediaType);
        doctors.MapDelete("/{id:long}", DeactivateDoctor);
        return app;
    }

    public static async Task<Results<Ok<PagedResult<DoctorResponse>>, ValidationProblem, ProblemHttpResult>> ListDoctors(
        long clinicId, ShardDatabases shards, CancellationToken ct,
        string? specialization = null, bool includeInactive = false, int pageIndex = 0, int pageSize = Paging.DefaultPageSize)
    {
        var errors = Paging.Validate(pageIndex, pageSize);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        await using var db = shards.ForClinic(clinicId);
        if (db is null || !await db.Clinics.AnyAsync(c => c.Id == clinicId, ct))
        {
            return ClinicsApi.ClinicNotFound(clinicId);
        }

        var query = db.Doctors.AsNoTracking().Where(d => d.ClinicId == clinicId);
        if (!includeInactive)
        {
            query = query.Where(d => d.IsActive);
        }
        if (!string.IsNullOrWhiteSpace(specialization))
        {
            var wanted = specialization.Trim().ToLower();
            query = query.Where(d => d.Specialization.ToLower() == wanted);
        }
        var total = await query.LongCountAsync(ct);
        var items = await query.OrderBy(d => d.Id).Skip(pageIndex * pageSize).Take(pageSize).ToListAsync(ct);
        return TypedResults.Ok(new PagedResult<DoctorResponse>(pageIndex, pageSize, total, items.Select(DoctorResponse.From).ToList()));
    }

    public static async Task<Results<Ok<DoctorResponse>, ProblemHttpResult>> GetDoctor(
        long id, ShardDatabases shards, HybridCache cache, CancellationToken ct)
    {
        if (ClinicIds.ShardOf(id, scoped: true) is not { } shard || !shards.Owns(shard))
        {
            return DoctorNotFound(id);
        }
        var clinicId = ClinicIds.ClinicOf(id);
        var doctor = await cache.GetOrCreateAsync($"doctor:{id}:v{CacheTags.ClinicVersion(clinicId)}", async token =>
        {
            await using var db = shards.CreateContext(shard);
            var found = await db.Doctors.AsNoTracking().FirstOrDefaultAsync(d => d.ClinicId == clinicId && d.Id == id, token);
            return found is null ? null : DoctorResponse.From(found);
        }, tags: [CacheTags.Clinic(clinicId)], cancellationToken: ct);
        return doctor is null ? DoctorNotFound(id) : TypedResults.Ok(doctor);
    }

    public static async Task<Results<Created<DoctorResponse>, ValidationProblem, ProblemHttpResult>> CreateDoctor(
        long clinicId, DoctorRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForClinic(clinicId);
        var clinic = db is null ? null : await db.Clinics.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clinicId, ct);
        if (db is null || clinic is null)
        {
            return ClinicsApi.ClinicNotFound(clinicId);
        }
        var errors = Validation.Doctor(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        if (!clinic.IsActive)
        {
            return Problems.Conflict($"Clinic {clinicId} is not active.");
        }

        var now = clock.UtcNowMicroseconds();
        var doctor = new Doctor
        {
            ClinicId = clinicId,
            Name = request.Name!.Trim(),
            Specialization = request.Specialization!.Trim(),
            CreatedAt = now,
            UpdatedAt = now,
        };
        db.Doctors.Add(doctor);
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Created($"/doctors/{doctor.Id}", DoctorResponse.From(doctor));
    }

    public static async Task<Results<Ok<DoctorResponse>, ValidationProblem, ProblemHttpResult>> ReplaceDoctor(
        long id, DoctorRequest request, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var doctor = db is null ? null : await db.Doctors.FirstOrDefaultAsync(d => d.ClinicId == ClinicIds.ClinicOf(id) && d.Id == id, ct);
        if (db is null || doctor is null)
        {
            return DoctorNotFound(id);
        }
        return await UpdateAsync(db, doctor, request, clock, ct);
    }

    public static async Task<Results<Ok<DoctorResponse>, ValidationProblem, ProblemHttpResult>> PatchDoctor(
        long id, JsonNode? patch, ShardDatabases shards, TimeProvider clock, IOptions<JsonOptions> json, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        var doctor = db is null ? null : await db.Doctors.FirstOrDefaultAsync(d => d.ClinicId == ClinicIds.ClinicOf(id) && d.Id == id, ct);
        if (db is null || doctor is null)
        {
            return DoctorNotFound(id);
        }
        var (merged, problem) = MergePatch.Apply(
            new DoctorRequest(doctor.Name, doctor.Specialization), patch, json.Value.SerializerOptions, PatchableFields);
        return problem ?? await UpdateAsync(db, doctor, merged!, clock, ct);
    }

    private static async Task<Results<Ok<DoctorResponse>, ValidationProblem, ProblemHttpResult>> UpdateAsync(
        ClinicDbContext db, Doctor doctor, DoctorRequest request, TimeProvider clock, CancellationToken ct)
    {
        if (!doctor.IsActive && request.IsActive != true)
        {
            return Problems.Conflict($"Doctor {doctor.Id} is deactivated. Send \"isActive\": true with the update to reactivate it.");
        }
        if (request.IsActive == false)
        {
            return Problems.Conflict($"Deactivate doctor {doctor.Id} with DELETE /doctors/{doctor.Id}.");
        }
        var errors = Validation.Doctor(request);
        if (errors.Count > 0)
        {
            return Problems.Validation(errors);
        }
        doctor.Name = request.Name!.Trim();
        doctor.Specialization = request.Specialization!.Trim();
        doctor.IsActive = true; // refused by the database unless the clinic is active
        doctor.UpdatedAt = clock.UtcNowMicroseconds();
        if (await db.TrySaveAsync(ct) is { } conflict)
        {
            return conflict;
        }
        return TypedResults.Ok(DoctorResponse.From(doctor));
    }

    /// <summary>Deactivates a doctor: refused while future booked slots exist; removes free future slots and templates.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> DeactivateDoctor(
        long id, ShardDatabases shards, TimeProvider clock, CancellationToken ct)
    {
        await using var db = shards.ForScopedId(id);
        if (db is null)
        {
            return DoctorNotFound(id);
        }
        var clinicId = ClinicIds.ClinicOf(id);
        return await Deactivation.DeactivateAsync(db,
            db.Doctors.FromSql($"SELECT *, xmin FROM doctors WHERE clinic_id = {clinicId} AND id = {id} FOR UPDATE"),
            DoctorNotFound(id),
            s => s.ClinicId == clinicId && s.DoctorId == id,
            t => t.ClinicId == clinicId && t.DoctorId == id,
            clock, ct);
    }

    public static ProblemHttpResult DoctorNotFound(long id) => Problems.NotFound($"Doctor {id} does not exist.");
}
