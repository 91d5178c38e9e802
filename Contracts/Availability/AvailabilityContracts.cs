namespace ClinicBooking.Contracts;

/// <summary>
/// A free slot, with what a customer choosing between clinics needs to see. Times carry the offset in force at
/// the clinic then; <see cref="TimeZone"/> is the clinic's IANA zone, so a page can name it. <see cref="Mode"/> says
/// whether it is in person, online, or either (the patient chooses when booking); <see cref="Price"/> what it costs
/// (null: free).
/// </summary>
public sealed record AvailableSlot(
    long Id, long ClinicId, string ClinicName, long DoctorId, string DoctorName, string Specialization,
    long TimeSlotId, DateOnly Date, DateTimeOffset StartsAt, DateTimeOffset EndsAt, string TimeZone, string Mode,
    Payments.Price? Price);

/// <summary>Free slots by start time; pass <see cref="NextCursor"/> as <c>after</c> for the next page.</summary>
public sealed record AvailabilityPage(IReadOnlyList<AvailableSlot> Items, string? NextCursor)
{
    /// <summary>The order of availability: start instant, then id.</summary>
    public static (DateTimeOffset StartsAt, long Id) Key(AvailableSlot slot) => (slot.StartsAt, slot.Id);

    public static AvailabilityPage From(KeysetPage<AvailableSlot> page) => new(page.Items,
        page.HasMore && page.Items.Count > 0 ? AvailabilityCursor.Format(page.Items[^1].StartsAt, page.Items[^1].Id) : null);

    public KeysetPage<AvailableSlot> AsKeyset() => new(Items, NextCursor is not null);
}

/// <summary>The gateway's search over every cell; <see cref="Partial"/> when a cell did not answer and its slots are missing.</summary>
public sealed record SearchResponse(
    IReadOnlyList<AvailableSlot> Items, string? NextCursor, bool Partial, IReadOnlyList<string> UnavailableCells);

/// <summary>The first free slot over every cell, if any.</summary>
public sealed record NextAvailableResponse(AvailableSlot? Slot, bool Partial, IReadOnlyList<string> UnavailableCells);
