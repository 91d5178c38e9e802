using Npgsql;

namespace ClinicBooking.IntegrationTests;

/// <summary>
/// The shard database is the last line of defence: each rule is broken here with plain SQL, bypassing the
/// API, and must be refused by the database itself.
/// </summary>
public class ShardConstraintTests(ClinicBookingApp app)
{
    private const int Shard = 0;
    private readonly ClinicApi _api = new(app);
    private static readonly DateTimeOffset NextYear = new(DateTime.UtcNow.Year + 1, 3, 2, 9, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset LastYear = NextYear.AddYears(-2);

    private sealed record Clinic(long Id, long Doctor, long TimeSlot);

    private async Task<Clinic> CreateClinicAsync()
    {
        var id = await _api.CreateClinicIdAsync(Shard);
        return new Clinic(id, await _api.CreateDoctorAsync(id), await _api.CreateTimeSlotAsync(id));
    }

    [Fact]
    public async Task A_booking_slot_cannot_join_a_doctor_of_one_clinic_with_a_time_slot_of_another()
    {
        var a = await CreateClinicAsync();
        var b = await CreateClinicAsync();

        // In the past, so only the composite foreign keys (not the "future slot" trigger) are in play.
        var asA = await Assert.ThrowsAsync<PostgresException>(() =>
            _api.InsertBookingSlotAsync(Shard, a.Id, a.Doctor, b.TimeSlot, LastYear, TimeSpan.FromHours(1)));
        var asB = await Assert.ThrowsAsync<PostgresException>(() =>
            _api.InsertBookingSlotAsync(Shard, b.Id, a.Doctor, b.TimeSlot, LastYear, TimeSpan.FromHours(1)));

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, asA.SqlState);
        Assert.Equal("fk_booking_slots_time_slots_clinic_id_time_slot_id", asA.ConstraintName);
        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, asB.SqlState);
        Assert.Equal("fk_booking_slots_doctors_clinic_id_doctor_id", asB.ConstraintName);
    }

    [Fact]
    public async Task A_template_cannot_join_a_doctor_of_one_clinic_with_a_time_slot_of_another()
    {
        var a = await CreateClinicAsync();
        var b = await CreateClinicAsync();

        var refused = await _api.RefusedAsync(Shard,
            "INSERT INTO doctor_slots (clinic_id, doctor_id, time_slot_id, created_at, updated_at) VALUES ($1, $2, $3, now(), now())",
            a.Id, a.Doctor, b.TimeSlot);

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
    }

    [Fact]
    public async Task Two_booking_slots_for_one_doctor_time_slot_and_date_are_refused()
    {
        var c = await CreateClinicAsync();
        await _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, c.TimeSlot, NextYear, TimeSpan.FromHours(1));

        // Same doctor, time slot and date, at a time that does not overlap: the unique key alone refuses it.
        var duplicate = await Assert.ThrowsAsync<PostgresException>(() =>
            _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, c.TimeSlot, NextYear.AddHours(5), TimeSpan.FromHours(1)));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, duplicate.SqlState);
        Assert.Equal("ux_booking_slots_doctor_time_slot_date", duplicate.ConstraintName);
    }

    [Fact]
    public async Task Overlapping_booking_slots_of_one_doctor_are_refused()
    {
        var c = await CreateClinicAsync();
        var otherShift = await _api.CreateTimeSlotAsync(c.Id, "12:00", "16:00");
        await _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, c.TimeSlot, NextYear, TimeSpan.FromHours(4));

        var overlap = await Assert.ThrowsAsync<PostgresException>(() =>
            _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, otherShift, NextYear.AddHours(3), TimeSpan.FromHours(4)));

        Assert.Equal(PostgresErrorCodes.ExclusionViolation, overlap.SqlState);
        Assert.Equal("ex_booking_slots_doctor_overlap", overlap.ConstraintName);
        // Back to back is fine.
        Assert.NotNull(await _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, otherShift, NextYear.AddHours(4), TimeSpan.FromHours(4)));
    }

    [Fact]
    public async Task A_booking_slot_that_ends_before_it_starts_is_refused()
    {
        var c = await CreateClinicAsync();

        var refused = await Assert.ThrowsAsync<PostgresException>(() =>
            _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, c.TimeSlot, NextYear, TimeSpan.FromHours(-1)));

        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
        Assert.Equal("ck_booking_slots_end_after_start", refused.ConstraintName);
    }

    [Fact]
    public async Task A_time_slot_that_ends_before_it_starts_is_refused()
    {
        var c = await CreateClinicAsync();

        var refused = await _api.RefusedAsync(Shard,
            "INSERT INTO time_slots (clinic_id, name, start_time, end_time, is_active, created_at, updated_at) VALUES ($1, 'Backwards', '13:00', '09:00', true, now(), now())",
            c.Id);

        Assert.Equal(PostgresErrorCodes.CheckViolation, refused.SqlState);
    }

    [Fact]
    public async Task Nothing_active_may_point_at_an_inactive_clinic()
    {
        var c = await CreateClinicAsync();
        await _api.ExecuteAsync(Shard, "DELETE FROM doctor_slots WHERE clinic_id = $1", c.Id);
        await _api.ExecuteAsync(Shard, "UPDATE doctors SET is_active = false WHERE clinic_id = $1", c.Id);
        await _api.ExecuteAsync(Shard, "UPDATE time_slots SET is_active = false WHERE clinic_id = $1", c.Id);
        await _api.ExecuteAsync(Shard, "UPDATE clinics SET is_active = false WHERE id = $1", c.Id);

        var doctor = await _api.RefusedAsync(Shard,
            "INSERT INTO doctors (clinic_id, name, specialization, is_active, created_at, updated_at) VALUES ($1, 'Dr Late', 'GP', true, now(), now())",
            c.Id);
        var reactivated = await _api.RefusedAsync(Shard, "UPDATE doctors SET is_active = true WHERE id = $1", c.Doctor);
        var timeSlot = await _api.RefusedAsync(Shard,
            "INSERT INTO time_slots (clinic_id, name, start_time, end_time, is_active, created_at, updated_at) VALUES ($1, 'Late', '09:00', '10:00', true, now(), now())",
            c.Id);
        var template = await _api.RefusedAsync(Shard,
            "INSERT INTO doctor_slots (clinic_id, doctor_id, time_slot_id, created_at, updated_at) VALUES ($1, $2, $3, now(), now())",
            c.Id, c.Doctor, c.TimeSlot);
        var futureSlot = await Assert.ThrowsAsync<PostgresException>(() =>
            _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, c.TimeSlot, NextYear, TimeSpan.FromHours(1)));

        Assert.Equal("fk_doctors_active_clinic", doctor.ConstraintName);
        Assert.Equal("fk_doctors_active_clinic", reactivated.ConstraintName);
        Assert.Equal("fk_time_slots_active_clinic", timeSlot.ConstraintName);
        Assert.Equal("fk_doctor_slots_active_doctor", template.ConstraintName);
        Assert.Equal("fk_booking_slots_active_doctor", futureSlot.ConstraintName);
        Assert.All(new[] { doctor, reactivated, timeSlot, template, futureSlot },
            e => Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, e.SqlState));

        // History stays possible: a past slot of the inactive clinic is accepted.
        Assert.NotNull(await _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, c.TimeSlot, LastYear, TimeSpan.FromHours(1)));
    }

    [Fact]
    public async Task A_clinic_with_active_doctors_cannot_be_deactivated()
    {
        var c = await CreateClinicAsync();

        var refused = await _api.RefusedAsync(Shard, "UPDATE clinics SET is_active = false WHERE id = $1", c.Id);

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
    }

    [Fact]
    public async Task A_doctor_with_future_booking_slots_cannot_be_deactivated()
    {
        var c = await CreateClinicAsync();
        await _api.InsertBookingSlotAsync(Shard, c.Id, c.Doctor, c.TimeSlot, NextYear, TimeSpan.FromHours(1));
        await _api.ExecuteAsync(Shard, "DELETE FROM doctor_slots WHERE doctor_id = $1", c.Doctor);

        var refused = await _api.RefusedAsync(Shard, "UPDATE doctors SET is_active = false WHERE id = $1", c.Doctor);

        Assert.Equal(PostgresErrorCodes.ForeignKeyViolation, refused.SqlState);
        Assert.Equal("fk_booking_slots_active_doctor", refused.ConstraintName);
    }

    [Fact]
    public async Task A_template_cannot_point_at_an_inactive_doctor()
    {
        var c = await CreateClinicAsync();
        await _api.ExecuteAsync(Shard, "UPDATE doctors SET is_active = false WHERE id = $1", c.Doctor);

        var refused = await _api.RefusedAsync(Shard,
            "INSERT INTO doctor_slots (clinic_id, doctor_id, time_slot_id, created_at, updated_at) VALUES ($1, $2, $3, now(), now())",
            c.Id, c.Doctor, c.TimeSlot);

        Assert.Equal("fk_doctor_slots_active_doctor", refused.ConstraintName);
    }

    [Fact]
    public async Task Ids_carry_their_clinic_and_shard()
    {
        var c = await CreateClinicAsync();
        var doctorRow = await _api.ScalarAsync<long>(Shard, "SELECT row_no FROM doctors WHERE id = $1", c.Doctor);

        Assert.Equal(Shard, ClinicIds.ShardOfClinic(c.Id));
        Assert.Equal(c.Id, ClinicIds.ClinicOf(c.Doctor));
        Assert.Equal((c.Id << ClinicIds.RowBits) | doctorRow, c.Doctor);
        Assert.True(c.Doctor < 1L << 53);
        var refused = await _api.RefusedAsync(Shard,
            "INSERT INTO clinics (id, name, time_zone, is_active, created_at, updated_at) VALUES (5, 'Too small', 'UTC', true, now(), now())");
        Assert.Equal("ck_clinics_id_shape", refused.ConstraintName);
    }
}
