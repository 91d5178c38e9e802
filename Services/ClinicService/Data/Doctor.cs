namespace ClinicBooking.ClinicService.Data;

/// <summary>A doctor of one clinic. Deactivated, never deleted: past booking slots keep pointing at it.</summary>
public sealed class Doctor : IDeactivatable
{
    public const int NameMaxLength = 200;
    public const int SpecializationMaxLength = 100;

    public long ClinicId { get; set; }

    /// <summary>The shard-wide row number the database assigns; <see cref="Id"/> is built from it.</summary>
    public long RowNumber { get; private set; }

    /// <summary><c>(ClinicId &lt;&lt; 30) | RowNumber</c>, computed by the database.</summary>
    public long Id { get; private set; }

    public required string Name { get; set; }

    public required string Specialization { get; set; }

    public bool IsActive { get; set; } = true;

    /// <summary>The id while active, NULL when not; templates reference it, so they need an active doctor.</summary>
    public long? ActiveDoctorId { get; private set; }

    /// <summary>The clinic id while active, NULL when not; references the clinic's <c>ActiveClinicId</c>.</summary>
    public long? ActiveClinicRef { get; private set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public uint Version { get; set; }
}
