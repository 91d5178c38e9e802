namespace ClinicBooking.ClinicService.Data;

/// <summary>The 404 problems of the cell's resources, one message per kind, whichever endpoint finds it missing.</summary>
public static class Missing
{
    public static ProblemException Clinic(long id) => ProblemException.NotFound($"Clinic {id} does not exist.");

    public static ProblemException Doctor(long id) => ProblemException.NotFound($"Doctor {id} does not exist.");

    public static ProblemException TimeSlot(long id) => ProblemException.NotFound($"Time slot {id} does not exist.");

    public static ProblemException DoctorSlot(long id) => ProblemException.NotFound($"Doctor slot {id} does not exist.");

    public static ProblemException BookingSlot(long id) => ProblemException.NotFound($"Booking slot {id} does not exist.");

    public static ProblemException Booking(long id) => ProblemException.NotFound($"Booking {id} does not exist.");
}
