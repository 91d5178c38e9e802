using System.Net.Http.Json;
using Microsoft.Extensions.Caching.Memory;

namespace ClinicBooking.NotificationService.Clinics;

/// <summary>What a mail says about where and with whom: a clinic's and a doctor's public details.</summary>
public sealed record Practice(string ClinicName, string? ClinicAddress, string DoctorName, string? Specialization);

/// <summary>
/// A clinic's and a doctor's public details, read through the gateway as any visitor reads them (never from a
/// shard's database) and kept for a few minutes, so a clinic's new address reaches the next mails soon.
/// </summary>
public sealed class ClinicDirectory(HttpClient http, IMemoryCache cache)
{
    public const string BaseAddress = $"http://{ResourceNames.Gateway}";

    private static readonly TimeSpan Keep = TimeSpan.FromMinutes(5);

    /// <summary>The details, or an exception (the gateway or the cell is away): the mail waits and is tried again.</summary>
    public async Task<Practice> GetAsync(long clinicId, long doctorId, CancellationToken ct)
    {
        var clinic = await ReadAsync<ClinicResponse>($"/clinics/{clinicId}", ct);
        var doctor = await ReadAsync<DoctorResponse>($"/doctors/{doctorId}", ct);
        return new Practice(clinic.Name, clinic.Address, doctor.Name, doctor.Specialization);
    }

    private async Task<T> ReadAsync<T>(string path, CancellationToken ct) where T : class =>
        await cache.GetOrCreateAsync(path, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Keep;
            return await http.GetFromJsonAsync<T>(path, ct)
                ?? throw new InvalidOperationException($"{path} answered nothing.");
        }) ?? throw new InvalidOperationException($"{path} answered nothing.");
}
