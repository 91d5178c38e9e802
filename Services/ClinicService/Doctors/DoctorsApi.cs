using System.Security.Claims;
using System.Text.Json.Nodes;
using ClinicBooking.ClinicService.Caching;
using ClinicBooking.ClinicService.Data;
using ClinicBooking.ClinicService.Sharding;
using ClinicBooking.ClinicService.Slots;
using ClinicBooking.Contracts.Access;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ClinicBooking.ClinicService.Doctors;

public static class DoctorsApi
{
    private static readonly string[] PatchableFields = ["name", "specialization", "isActive"];

    public static IEndpointRouteBuilder MapDoctorsApi(this IEndpointRouteBuilder app)
    {
        var clinicDoctors = app.MapGroup("/clinics/{clinicId:long}/doctors").WithTags("Doctors")
            .ForShardOf("clinicId", scoped: false, Missing.Clinic)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        clinicDoctors.MapGet("/", ListDoctors).Public();
        clinicDoctors.MapPost("/", CreateDoctor).ClinicStaff("clinicId", scoped: false);

        var doctor = app.MapGroup("/doctors/{id:long}").WithTags("Doctors")
            .ForShardOf("id", scoped: true, Missing.Doctor)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        doctor.MapGet("/", GetDoctor).Public();
        doctor.MapPut("/", ReplaceDoctor).ClinicStaff("id", scoped: true);
        doctor.MapPatch("/", PatchDoctor).ClinicStaff("id", scoped: true).Accepts<JsonObject>(JsonMergePatch.MediaType);
        doctor.MapDelete("/", DeactivateDoctor).ClinicStaff("id", scoped: true);
        return app;
    }

    public static async Task<Ok<PagedResult<DoctorResponse>>> ListDoctors(
        long clinicId, [AsParameters] DoctorFilter filter, [AsParameters] PageRequest page, ShardScope shard, ClaimsPrincipal user, CancellationToken ct)
    {
        if (filter.IncludeInactive)
        {
            Access.RequireToSeeInactive(user, clinicId);
        }
        if (!await shard.Db.Clinics.AnyAsync(c => c.Id == clinicId, ct))
        {
            throw Missing.Clinic(clinicId);
        }
        var query = shard.Db.Doctors.AsNoTracking().Where(d => d.ClinicId == clinicId);
        if (!filter.IncludeInactive)
        {
            query = query.Where(d => d.IsActive);
        }
        if (!string.IsNullOrWhiteSpace(filter.Specialization))
        {
            var wanted = filter.Specialization.Trim().ToLower();
            query = query.Where(d => d.Specialization.ToLower() == wanted);
        }
        var total = await query.LongCountAsync(ct);
        var items = await query.OrderBy(d => d.Id).Skip(page.Skip).Take(page.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new PagedResult<DoctorResponse>(page.PageIndex, page.PageSize, total, items.Select(d => d.ToResponse()).ToList()));
    }

    /// <summary>A doctor's public details: a read that may be stale (a replica's, within the bound; the caller's own changes always shown).</summary>
    public static async Task<Ok<DoctorResponse>> GetDoctor(long id, ShardScope shard, ReadReplicas replicas, ClinicCache cache, ClaimsPrincipal user, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        var doctor = await replicas.ReadThroughAsync(shard.Shard, Caller.From(user).Subject,
            (read, expiration) => cache.GetOrCreateForClinicAsync("doctor", id, clinicId, read, ct, expiration),
            async (db, token) => (await db.Doctors.AsNoTracking().FirstOrDefaultAsync(d => d.ClinicId == clinicId && d.Id == id, token))?.ToResponse(), ct);
        return TypedResults.Ok(doctor ?? throw Missing.Doctor(id));
    }

    public static async Task<Created<DoctorResponse>> CreateDoctor(
        long clinicId, DoctorRequest request, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var clinic = await services.Db.Clinics.AsNoTracking().FirstOrDefaultAsync(c => c.Id == clinicId, ct) ?? throw Missing.Clinic(clinicId);
        if (!clinic.IsActive)
        {
            throw ProblemException.Conflict($"Clinic {clinicId} is not active.");
        }
        var now = services.Clock.UtcNowMicroseconds();
        var doctor = new Doctor { ClinicId = clinicId, Name = "", Specialization = "", CreatedAt = now };
        SetFields(doctor, request, now);
        services.Db.Doctors.Add(doctor);
        await services.Db.SaveChangesAsync(ct);
        return TypedResults.Created($"/doctors/{doctor.Id}", doctor.ToResponse());
    }

    public static async Task<Ok<DoctorResponse>> ReplaceDoctor(
        long id, DoctorRequest request, [AsParameters] ShardServices services, CancellationToken ct) =>
        await UpdateAsync(await FindAsync(services.Db, id, ct), request, services, ct);

    public static async Task<Ok<DoctorResponse>> PatchDoctor(
        long id, JsonNode? patch, [AsParameters] ShardServices services, MergePatcher<DoctorRequest> patcher, CancellationToken ct)
    {
        var doctor = await FindAsync(services.Db, id, ct);
        var request = await patcher.ApplyAsync(new DoctorRequest(doctor.Name, doctor.Specialization), patch, PatchableFields, ct);
        return await UpdateAsync(doctor, request, services, ct);
    }

    private static async Task<Ok<DoctorResponse>> UpdateAsync(Doctor doctor, DoctorRequest request, ShardServices services, CancellationToken ct)
    {
        doctor.EnsureUpdatable(request.IsActive, $"Doctor {doctor.Id}", $"/doctors/{doctor.Id}");
        SetFields(doctor, request, services.Clock.UtcNowMicroseconds());
        doctor.IsActive = true; // refused by the database unless the clinic is active
        await services.Db.SaveChangesAsync(ct);
        return TypedResults.Ok(doctor.ToResponse());
    }

    /// <summary>Deactivates a doctor: refused while future booked slots exist; removes free future slots and templates.</summary>
    public static async Task<NoContent> DeactivateDoctor(long id, [AsParameters] ShardServices services, CancellationToken ct)
    {
        var clinicId = ClinicIds.ClinicOf(id);
        await Deactivation.DeactivateAsync(services.Db,
            services.Db.Doctors.FromSql($"SELECT *, xmin FROM doctors WHERE clinic_id = {clinicId} AND id = {id} FOR UPDATE"),
            () => Missing.Doctor(id),
            s => s.ClinicId == clinicId && s.DoctorId == id,
            t => t.ClinicId == clinicId && t.DoctorId == id,
            services.Clock, ct);
        return TypedResults.NoContent();
    }

    private static void SetFields(Doctor doctor, DoctorRequest request, DateTimeOffset now)
    {
        doctor.Name = request.Name!.Trim();
        doctor.Specialization = request.Specialization!.Trim();
        doctor.UpdatedAt = now;
    }

    private static async Task<Doctor> FindAsync(ClinicDbContext db, long id, CancellationToken ct) =>
        await db.Doctors.FirstOrDefaultAsync(d => d.ClinicId == ClinicIds.ClinicOf(id) && d.Id == id, ct) ?? throw Missing.Doctor(id);
}
