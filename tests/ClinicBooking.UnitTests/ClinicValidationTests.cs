using ClinicBooking.ClinicService.Clinics;
using ClinicBooking.ClinicService.TimeSlots;

namespace ClinicBooking.UnitTests;

public class ClinicValidationTests
{
    private static IEnumerable<string> ClinicErrors(ClinicRequest request) =>
        new ClinicRequestValidator().Validate(request).ToDictionary().Keys;

    private static IEnumerable<string> TimeSlotErrors(TimeSlotRequest request) =>
        new TimeSlotRequestValidator().Validate(request).ToDictionary().Keys;

    [Theory]
    [InlineData("Europe/Berlin")]
    [InlineData("America/Argentina/Buenos_Aires")]
    [InlineData("UTC")]
    public void Iana_time_zones_are_accepted(string timeZone) =>
        Assert.Empty(ClinicErrors(new ClinicRequest("Clinic", timeZone, null)));

    [Theory]
    [InlineData("CET+1")]
    [InlineData("Berlin")]
    [InlineData("")]
    public void Anything_else_is_refused(string timeZone) =>
        Assert.Equal(["timeZone"], ClinicErrors(new ClinicRequest("Clinic", timeZone, null)));

    [Theory]
    [InlineData("09:00", "13:00", 9, 0, 13, 0)]
    [InlineData("07:30:00", "07:45", 7, 30, 7, 45)]
    public void Shift_hours_are_parsed(string start, string end, int sh, int sm, int eh, int em)
    {
        var request = new TimeSlotRequest("Shift", start, end);

        Assert.Empty(TimeSlotErrors(request));
        Assert.Equal((new TimeOnly(sh, sm), new TimeOnly(eh, em)), request.Hours);
    }

    [Theory]
    [InlineData("13:00", "09:00", "endTime")]
    [InlineData("22:00", "02:00", "endTime")] // overnight shifts are not supported: a shift ends the day it starts
    [InlineData("9", "10:00", "startTime")]
    [InlineData("09:00", "24:00", "endTime")]
    public void Bad_shift_hours_are_refused(string start, string end, string field) =>
        Assert.Equal([field], TimeSlotErrors(new TimeSlotRequest("Shift", start, end)));

    [Fact]
    public void Text_fields_are_required_and_bounded_as_stored()
    {
        var errors = new ClinicRequestValidator().Validate(new ClinicRequest("  ", "UTC", new string('a', 501))).ToDictionary();

        Assert.Equal(["address", "name"], errors.Keys.Order());
        Assert.Equal(["name is required."], errors["name"]);
    }
}
