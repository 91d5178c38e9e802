using System.Data.Common;
using System.Runtime.CompilerServices;
using ClinicBooking.ClinicService.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace ClinicBooking.ClinicService.Caching;

/// <summary>
/// After every successful SaveChanges, drops the cache tags of each clinic the save touched, so no endpoint
/// can forget to; inside a transaction, only once it commits, so a reader cannot re-cache the old state in
/// between. (Bulk ExecuteUpdate/ExecuteDelete bypass this; their callers invalidate themselves.)
/// </summary>
public sealed class CacheInvalidationInterceptor(ClinicCache cache) : SaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, HashSet<long>> _touched = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            var clinics = context.ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified or EntityState.Deleted)
                .Select(e => e.Entity switch
                {
                    Clinic c => c.Id,
                    Doctor d => d.ClinicId,
                    TimeSlot t => t.ClinicId,
                    DoctorSlot t => t.ClinicId,
                    BookingSlot s => s.ClinicId,
                    _ => 0,
                })
                .Where(id => id > 0)
                .ToHashSet();
            // Several saves in one transaction add up until it commits.
            _touched.GetOrCreateValue(context).UnionWith(clinics);
        }
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override async ValueTask<int> SavedChangesAsync(
        SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context && context.Database.CurrentTransaction is null)
        {
            await InvalidateAsync(context, cancellationToken);
        }
        return await base.SavedChangesAsync(eventData, result, cancellationToken);
    }

    public async Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } context)
        {
            await InvalidateAsync(context, cancellationToken);
        }
    }

    private async Task InvalidateAsync(DbContext context, CancellationToken ct)
    {
        if (!_touched.TryGetValue(context, out var clinics))
        {
            return;
        }
        _touched.Remove(context);
        foreach (var clinicId in clinics)
        {
            await cache.InvalidateClinicAsync(clinicId, ct);
        }
    }
}
