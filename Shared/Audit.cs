namespace ClinicBooking.Shared;

/// <summary>One audit record as administrators read it: when, who ("roles:account id", or "system"), what, on which object.</summary>
public sealed record AuditEntryResponse(DateTimeOffset At, string Actor, string Action, string ObjectType, long ObjectId);
