using ClinicBooking.Messages;

namespace ClinicBooking.ClinicService.Data;

/// <summary>
/// The rules of a shard that EF Core cannot model, as they are now: the names the application maps to
/// clear refusals, and every function the shard's triggers run. Each rule here is one the database must
/// enforce whatever the application does. The constraints and triggers that call these functions were
/// created by the earlier migrations (their SQL is frozen in <c>Migrations/ShardSchemaHistory.cs</c>);
/// a migration that changes a rule applies <see cref="Functions"/> again, which replaces them in place.
/// </summary>
public static class ShardSchema
{
    public const string ActiveDoctorConstraint = "fk_booking_slots_active_doctor";
    public const string ActiveTimeSlotConstraint = "fk_booking_slots_active_time_slot";
    public const string OverlapConstraint = "ex_booking_slots_doctor_overlap";
    public const string SlotMatchesBooking = "ck_booking_slot_matches_active_booking";
    public const string TimeZoneIsIana = "ck_clinics_time_zone_iana";
    public const string TimeZoneFixedWhileSlots = "ck_clinics_time_zone_fixed_while_future_slots";
    public const string HoursFixedWhileSlots = "ck_time_slots_hours_fixed_while_future_slots";

    /// <summary>Every trigger function of the shard, created or replaced in place.</summary>
    public static readonly string Functions = $$"""
        -- A booking slot that is not yet over must belong to an active doctor and an active time slot (and
        -- so to an active clinic). "Not yet over" depends on the clock, which no constraint may read, so
        -- triggers enforce it from both sides. FOR SHARE makes a slot insert and a concurrent deactivation
        -- wait for each other instead of both succeeding.
        CREATE OR REPLACE FUNCTION booking_slots_require_active_parents() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.ends_at > now() THEN
                PERFORM 1 FROM doctors d
                 WHERE d.clinic_id = NEW.clinic_id AND d.id = NEW.doctor_id AND d.is_active FOR SHARE;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'doctor % of clinic % is not active: a future booking slot cannot point at it',
                        NEW.doctor_id, NEW.clinic_id
                        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{{ActiveDoctorConstraint}}';
                END IF;
                PERFORM 1 FROM time_slots t
                 WHERE t.clinic_id = NEW.clinic_id AND t.id = NEW.time_slot_id AND t.is_active FOR SHARE;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'time slot % of clinic % is not active: a future booking slot cannot point at it',
                        NEW.time_slot_id, NEW.clinic_id
                        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = '{{ActiveTimeSlotConstraint}}';
                END IF;
            END IF;
            RETURN NEW;
        END $$;

        -- The other side: a doctor or time slot with future booking slots cannot be deactivated. The
        -- triggers on doctors and time_slots pass the column to look in and the name to refuse with.
        CREATE OR REPLACE FUNCTION refuse_deactivation_with_future_slots() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            column_name text := TG_ARGV[0];
            constraint_name text := TG_ARGV[1];
        BEGIN
            IF OLD.is_active AND NOT NEW.is_active THEN
                PERFORM 1 FROM booking_slots s
                 WHERE s.clinic_id = OLD.clinic_id AND s.ends_at > now()
                   AND CASE column_name WHEN 'doctor_id' THEN s.doctor_id ELSE s.time_slot_id END = OLD.id
                 LIMIT 1;
                IF FOUND THEN
                    RAISE EXCEPTION '% % of clinic % still has future booking slots', TG_TABLE_NAME, OLD.id, OLD.clinic_id
                        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = constraint_name;
                END IF;
            END IF;
            RETURN NEW;
        END $$;

        -- A booking only moves forward: pending -> awaiting-payment | confirmed | rejected | expired | cancelled,
        -- awaiting-payment -> confirmed | expired | cancelled, and confirmed -> cancelled. A late or repeated
        -- message can never revive or rewrite a decision.
        CREATE OR REPLACE FUNCTION bookings_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status <> OLD.status AND NOT (
                   (OLD.status = 'pending' AND NEW.status IN ('awaiting-payment', 'confirmed', 'rejected', 'expired', 'cancelled'))
                OR (OLD.status = 'awaiting-payment' AND NEW.status IN ('confirmed', 'expired', 'cancelled'))
                OR (OLD.status = 'confirmed' AND NEW.status = 'cancelled')) THEN
                RAISE EXCEPTION 'booking % cannot go from % to %', OLD.id, OLD.status, NEW.status
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_bookings_forward_only';
            END IF;
            RETURN NEW;
        END $$;

        -- A booking that stops being active gives its slot back, in the same transaction, so no code path
        -- can leave a slot held by a rejected, expired or cancelled booking.
        CREATE OR REPLACE FUNCTION bookings_release_slot() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status IN {{BookingStatusNames.ActiveSql}} AND NEW.status NOT IN {{BookingStatusNames.ActiveSql}} THEN
                UPDATE booking_slots SET customer_id = NULL
                 WHERE clinic_id = NEW.clinic_id AND id = NEW.booking_slot_id AND customer_id = NEW.customer_id;
            END IF;
            RETURN NULL;
        END $$;

        -- No booking of a customer known to be inactive is confirmed.
        CREATE OR REPLACE FUNCTION bookings_refuse_inactive_customer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status = 'confirmed' AND OLD.status <> 'confirmed' AND EXISTS (
                   SELECT 1 FROM customer_standings s WHERE s.customer_id = NEW.customer_id AND NOT s.is_active) THEN
                RAISE EXCEPTION 'customer % is not active: booking % cannot be confirmed', NEW.customer_id, NEW.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_bookings_customer_active';
            END IF;
            RETURN NEW;
        END $$;

        -- A slot is taken exactly while it has an active (pending, awaiting payment or confirmed) booking, by that booking's
        -- customer, and the booking has the slot's doctor and times. Checked at commit (deferred constraint
        -- triggers on both tables), so the statements that hold a slot and insert its booking, or end a
        -- booking and free its slot, are seen whole, and neither side can move alone. Not indexing
        -- customer_id keeps the slot's hold an in-place (HOT) update.
        CREATE OR REPLACE FUNCTION check_slot_matches_active_booking(p_clinic bigint, p_slot bigint) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            s booking_slots%ROWTYPE;
            b bookings%ROWTYPE;
        BEGIN
            SELECT * INTO s FROM booking_slots WHERE clinic_id = p_clinic AND id = p_slot;
            SELECT * INTO b FROM bookings
             WHERE clinic_id = p_clinic AND booking_slot_id = p_slot AND status IN {{BookingStatusNames.ActiveSql}};
            IF b.id IS NULL AND s.customer_id IS NOT NULL THEN
                RAISE EXCEPTION 'booking slot % is taken by customer % but has no active booking', p_slot, s.customer_id
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{SlotMatchesBooking}}';
            END IF;
            IF b.id IS NOT NULL AND (s.id IS NULL OR s.customer_id IS DISTINCT FROM b.customer_id OR s.doctor_id <> b.doctor_id
                                     OR s.starts_at <> b.starts_at OR s.ends_at <> b.ends_at) THEN
                RAISE EXCEPTION 'booking % is active but its slot % is not held for its customer at its doctor and times', b.id, p_slot
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{SlotMatchesBooking}}';
            END IF;
        END $$;

        CREATE OR REPLACE FUNCTION booking_slots_match_booking() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM check_slot_matches_active_booking(NEW.clinic_id, NEW.id);
            RETURN NULL;
        END $$;

        CREATE OR REPLACE FUNCTION bookings_match_slot() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.booking_slot_id IS NOT NULL THEN
                PERFORM check_slot_matches_active_booking(NEW.clinic_id, NEW.booking_slot_id);
            END IF;
            IF TG_OP = 'UPDATE' AND OLD.booking_slot_id IS DISTINCT FROM NEW.booking_slot_id AND OLD.booking_slot_id IS NOT NULL THEN
                PERFORM check_slot_matches_active_booking(OLD.clinic_id, OLD.booking_slot_id);
            END IF;
            RETURN NULL;
        END $$;

        -- A clinic's time zone is an IANA name PostgreSQL knows (generation computes every slot with it), and,
        -- like a shift's hours, it is fixed while future slots were computed from it.
        CREATE OR REPLACE FUNCTION clinics_time_zone_rules() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = NEW.time_zone AND name NOT LIKE 'posix/%') THEN
                RAISE EXCEPTION 'time zone "%" is not an IANA time zone name', NEW.time_zone
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{TimeZoneIsIana}}';
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.time_zone <> OLD.time_zone AND EXISTS (
                   SELECT 1 FROM booking_slots s WHERE s.clinic_id = OLD.id AND s.ends_at > now()) THEN
                RAISE EXCEPTION 'clinic % has future booking slots computed in time zone %', OLD.id, OLD.time_zone
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{TimeZoneFixedWhileSlots}}';
            END IF;
            RETURN NEW;
        END $$;

        CREATE OR REPLACE FUNCTION time_slots_hours_rules() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (NEW.start_time, NEW.end_time) IS DISTINCT FROM (OLD.start_time, OLD.end_time) AND EXISTS (
                   SELECT 1 FROM booking_slots s
                    WHERE s.clinic_id = OLD.clinic_id AND s.time_slot_id = OLD.id AND s.ends_at > now()) THEN
                RAISE EXCEPTION 'time slot % of clinic % has future booking slots at its current hours', OLD.id, OLD.clinic_id
                    USING ERRCODE = 'check_violation', CONSTRAINT = '{{HoursFixedWhileSlots}}';
            END IF;
            RETURN NEW;
        END $$;
        """;

    /// <summary>The deactivation triggers, whose arguments name the constraint they refuse with.</summary>
    public static readonly string DeactivationTriggers = $"""
        CREATE OR REPLACE TRIGGER doctors_refuse_deactivation_with_future_slots
            BEFORE UPDATE OF is_active ON doctors
            FOR EACH ROW EXECUTE FUNCTION refuse_deactivation_with_future_slots('doctor_id', '{ActiveDoctorConstraint}');
        CREATE OR REPLACE TRIGGER time_slots_refuse_deactivation_with_future_slots
            BEFORE UPDATE OF is_active ON time_slots
            FOR EACH ROW EXECUTE FUNCTION refuse_deactivation_with_future_slots('time_slot_id', '{ActiveTimeSlotConstraint}');
        """;
}
