using ClinicBooking.ClinicService.Apis;

namespace ClinicBooking.UnitTests;

public class ClinicValidationTests
{
    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("UTC")]
    public void Iana_time_zones_are_accepted(string timeZone) =>
        Assert.Empty(Validation.Clinic(new ClinicRequest("Clinic", timeZone, null)));

    [Theory]
    [InlineData("CET+1")]
    [InlineData("Berlin")]
    [InlineData("")]
    public void Anything_else_is_refused(string timeZone) =>
        Assert.Equal(["timeZone"], Validation.Clinic(new ClinicRequest("Clinic", timeZone, null)).Keys);

    [Theory]
    [InlineData("09:00", "13:00", 9, 0, 13, 0)]
    [InlineData("07:30:00", "07:45", 7, 30, 7, 45)]
    public void Shift_hours_are_parsed(string start, string end, int sh, int sm, int eh, int em)
    {
        var (s, e, errors) = Validation.TimeSlot(new TimeSlotRequest("Shift", start, end));

        Assert.Empty(errors);
        Assert.Equal(new TimeOnly(sh, sm), s);
        Assert.Equal(new TimeOnly(eh, em), e);
    }

    [Theory]
    [InlineData("13:00", "09:00", "endTime")]
    [InlineData("22:00", "02:00", "endTime")] // overnight shifts are not supported: a shift ends the day it starts
    [InlineData("9", "10:00", "startTime")]
    [InlineData("09:00", "24:00", "endTime")]
    public void Bad_shift_hours_are_refused(string start, string end, string field) =>
        Assert.Equal([field], Validation.TimeSlot(new TimeSlotRequest("Shift", start, end)).Errors.Keys);
}
