namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// Days a doctor does not work, from <see cref="FromDate"/> to <see cref="ToDate"/> (clinic-local dates, both
/// included): a sudden absence. Marking one removes the doctor's free slots on those days and cancels the booked
/// ones (<c>doctor-absent</c>, each patient told once); slot generation makes none on them afterwards.
/// </summary>
public sealed class DoctorAbsence
{
    /// <summary>The longest absence one request may mark: a year.</summary>
    public const int MaxDays = 366;

    public const int NoteMaxLength = 200;

    public long ClinicId { get; set; }

    public long RowNumber { get; private set; }

    public long Id { get; private set; }

    public long DoctorId { get; set; }

    public DateOnly FromDate { get; set; }

    public DateOnly ToDate { get; set; }

    /// <summary>For the clinic's staff only (patients are told the doctor is unavailable, not why).</summary>
    public string? Note { get; set; }

    /// <summary>Who marked it (the caller's audit name).</summary>
    public required string CreatedBy { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
