namespace ClinicBooking.ClinicService.Data;

/// <summary>Something deactivated rather than deleted (the disabled-entity pattern).</summary>
public interface IDeactivatable
{
    bool IsActive { get; set; }

    DateTimeOffset UpdatedAt { get; set; }
}

public static class Deactivatable
{
    /// <summary>
    /// The rules every update (PUT or merge patch) of a deactivatable resource follows: a deactivated one is
    /// only brought back by an explicit <c>"isActive": true</c>, never as a side effect of an edit, and an
    /// update never deactivates (a DELETE does, with its checks). <paramref name="name"/> names the resource
    /// ("Clinic 64"), <paramref name="path"/> is where a DELETE deactivates it.
    /// </summary>
    public static void EnsureUpdatable(this IDeactivatable entity, bool? isActive, string name, string path)
    {
        if (!entity.IsActive && isActive != true)
        {
            throw ProblemException.Conflict($"{name} is deactivated. Send \"isActive\": true with the update to reactivate it.");
        }
        if (isActive == false)
        {
            throw ProblemException.Conflict($"Deactivate {name.ToLowerInvariant()} with DELETE {path}.");
        }
    }
}
