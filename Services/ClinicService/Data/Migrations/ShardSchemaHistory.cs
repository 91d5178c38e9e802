namespace ClinicBooking.ClinicService.Data.Migrations;

/// <summary>
/// The SQL the shard's earlier migrations applied, exactly as they applied it (with the names the tables had
/// then: doctor_slot_templates, doctor_booking_slots), so a new shard replays the same history. Frozen: a
/// change to the schema is a new migration; <see cref="ShardSchema"/> holds the rules as they are now.
/// </summary>
internal static class ShardSchemaHistory
{
    /// <summary>Runs before the tables are created: <c>clinics.id</c> defaults to <c>next_clinic_id()</c>.</summary>
    public static readonly string BeforeTables = $$"""
        -- Which shard this database is: written once by the cell that owns it (see ShardDatabases), read
        -- by next_clinic_id() so that every clinic id names its home shard.
        CREATE TABLE shard_identity (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            shard integer NOT NULL CHECK (shard BETWEEN 0 AND {{ClinicIds.MaxShards - 1}})
        );

        CREATE SEQUENCE clinic_number_seq MINVALUE 1 MAXVALUE {{(ClinicIds.MaxClinicId >> ClinicIds.ShardBits)}};

        CREATE FUNCTION next_clinic_id() RETURNS bigint LANGUAGE sql VOLATILE AS $$
            SELECT (nextval('clinic_number_seq') << {{ClinicIds.ShardBits}}) | shard FROM shard_identity
        $$;
        """;

    /// <summary>Runs after the tables are created.</summary>
    public const string AfterTables = """
        -- The disabled-entity pattern: active dependants reference the "active" column of their parent,
        -- which is NULL while the parent is inactive, so no active doctor or time slot can belong to an
        -- inactive clinic, and no template to an inactive doctor or time slot.
        ALTER TABLE doctors ADD CONSTRAINT fk_doctors_active_clinic
            FOREIGN KEY (active_clinic_ref) REFERENCES clinics (active_clinic_id);
        ALTER TABLE time_slots ADD CONSTRAINT fk_time_slots_active_clinic
            FOREIGN KEY (active_clinic_ref) REFERENCES clinics (active_clinic_id);
        ALTER TABLE doctor_slot_templates ADD CONSTRAINT fk_doctor_slot_templates_active_doctor
            FOREIGN KEY (clinic_id, doctor_id) REFERENCES doctors (clinic_id, active_doctor_id);
        ALTER TABLE doctor_slot_templates ADD CONSTRAINT fk_doctor_slot_templates_active_time_slot
            FOREIGN KEY (clinic_id, time_slot_id) REFERENCES time_slots (clinic_id, active_time_slot_id);

        -- No double booking of a doctor's time: booking slots of one doctor never overlap.
        ALTER TABLE doctor_booking_slots ADD CONSTRAINT ex_doctor_booking_slots_doctor_overlap
            EXCLUDE USING gist (clinic_id WITH =, doctor_id WITH =, tstzrange(starts_at, ends_at) WITH &&);

        -- A booking slot that is not yet over must belong to an active doctor and an active time slot (and
        -- so to an active clinic). "Not yet over" depends on the clock, which no constraint may read, so
        -- triggers enforce it from both sides. FOR SHARE makes a slot insert and a concurrent deactivation
        -- wait for each other instead of both succeeding.
        CREATE FUNCTION doctor_booking_slots_require_active_parents() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.ends_at > now() THEN
                PERFORM 1 FROM doctors d
                 WHERE d.clinic_id = NEW.clinic_id AND d.id = NEW.doctor_id AND d.is_active FOR SHARE;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'doctor % of clinic % is not active: a future booking slot cannot point at it',
                        NEW.doctor_id, NEW.clinic_id
                        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'fk_doctor_booking_slots_active_doctor';
                END IF;
                PERFORM 1 FROM time_slots t
                 WHERE t.clinic_id = NEW.clinic_id AND t.id = NEW.time_slot_id AND t.is_active FOR SHARE;
                IF NOT FOUND THEN
                    RAISE EXCEPTION 'time slot % of clinic % is not active: a future booking slot cannot point at it',
                        NEW.time_slot_id, NEW.clinic_id
                        USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'fk_doctor_booking_slots_active_time_slot';
                END IF;
            END IF;
            RETURN NEW;
        END $$;

        CREATE TRIGGER doctor_booking_slots_require_active_parents
            BEFORE INSERT OR UPDATE OF clinic_id, doctor_id, time_slot_id, starts_at, ends_at ON doctor_booking_slots
            FOR EACH ROW EXECUTE FUNCTION doctor_booking_slots_require_active_parents();

        CREATE FUNCTION refuse_deactivation_with_future_slots() RETURNS trigger LANGUAGE plpgsql AS $$
        DECLARE
            column_name text := TG_ARGV[0];
            constraint_name text := TG_ARGV[1];
        BEGIN
            IF OLD.is_active AND NOT NEW.is_active THEN
                PERFORM 1 FROM doctor_booking_slots s
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

        CREATE TRIGGER doctors_refuse_deactivation_with_future_slots
            BEFORE UPDATE OF is_active ON doctors
            FOR EACH ROW EXECUTE FUNCTION refuse_deactivation_with_future_slots('doctor_id', 'fk_doctor_booking_slots_active_doctor');
        CREATE TRIGGER time_slots_refuse_deactivation_with_future_slots
            BEFORE UPDATE OF is_active ON time_slots
            FOR EACH ROW EXECUTE FUNCTION refuse_deactivation_with_future_slots('time_slot_id', 'fk_doctor_booking_slots_active_time_slot');
        """;

    /// <summary>
    /// Applied by the Bookings migration. A booking keeps its history when its slot is removed (only a slot
    /// without an active booking can be), so the reference clears the slot id and keeps the clinic id.
    /// </summary>
    public const string Bookings = """
        ALTER TABLE bookings ADD CONSTRAINT fk_bookings_booking_slot
            FOREIGN KEY (clinic_id, booking_slot_id) REFERENCES doctor_booking_slots (clinic_id, id)
            ON DELETE SET NULL (booking_slot_id);

        -- A booking only moves forward: pending -> confirmed | rejected | expired | cancelled, and
        -- confirmed -> cancelled. A late or repeated message can never revive or rewrite a decision.
        CREATE FUNCTION bookings_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status <> OLD.status AND NOT (
                   (OLD.status = 'pending' AND NEW.status IN ('confirmed', 'rejected', 'expired', 'cancelled'))
                OR (OLD.status = 'confirmed' AND NEW.status = 'cancelled')) THEN
                RAISE EXCEPTION 'booking % cannot go from % to %', OLD.id, OLD.status, NEW.status
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_bookings_forward_only';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER bookings_forward_only BEFORE UPDATE OF status ON bookings
            FOR EACH ROW EXECUTE FUNCTION bookings_forward_only();

        -- A booking that stops being active gives its slot back, in the same transaction, so no code path
        -- can leave a slot held by a rejected, expired or cancelled booking.
        CREATE FUNCTION bookings_release_slot() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF OLD.status IN ('pending', 'confirmed') AND NEW.status NOT IN ('pending', 'confirmed') THEN
                UPDATE doctor_booking_slots SET customer_id = NULL
                 WHERE clinic_id = NEW.clinic_id AND id = NEW.booking_slot_id AND customer_id = NEW.customer_id;
            END IF;
            RETURN NULL;
        END $$;
        CREATE TRIGGER bookings_release_slot AFTER UPDATE OF status ON bookings
            FOR EACH ROW EXECUTE FUNCTION bookings_release_slot();
        """;

    /// <summary>Applied by the CustomerStandings migration: no booking of a customer known to be inactive is confirmed.</summary>
    public const string InactiveCustomers = """
        CREATE FUNCTION bookings_refuse_inactive_customer() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.status = 'confirmed' AND OLD.status <> 'confirmed' AND EXISTS (
                   SELECT 1 FROM customer_standings s WHERE s.customer_id = NEW.customer_id AND NOT s.is_active) THEN
                RAISE EXCEPTION 'customer % is not active: booking % cannot be confirmed', NEW.customer_id, NEW.id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_bookings_customer_active';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER bookings_refuse_inactive_customer BEFORE UPDATE OF status ON bookings
            FOR EACH ROW EXECUTE FUNCTION bookings_refuse_inactive_customer();
        """;

    public const string InactiveCustomersDown = """
        DROP TRIGGER IF EXISTS bookings_refuse_inactive_customer ON bookings;
        DROP FUNCTION IF EXISTS bookings_refuse_inactive_customer();
        """;


    /// <summary>
    /// Applied by the SlotAndBookingAgree migration: rules between rows that no column constraint can state.
    /// </summary>
    public const string SlotsAgreeWithBookings = """
        -- A slot is taken exactly while it has an active (pending or confirmed) booking, by that booking's
        -- customer, and the booking has the slot's doctor and times. Checked at commit (deferred), so the
        -- statements that hold a slot and insert its booking, or end a booking and free its slot, are seen
        -- whole; checked on both tables, so neither side can move alone (a booked slot cannot be moved to
        -- another time, nor a confirmed booking sit on a free slot). Not indexing customer_id keeps the
        -- slot's hold an in-place (HOT) update.
        CREATE FUNCTION check_slot_matches_active_booking(p_clinic bigint, p_slot bigint) RETURNS void LANGUAGE plpgsql AS $$
        DECLARE
            s doctor_booking_slots%ROWTYPE;
            b bookings%ROWTYPE;
        BEGIN
            SELECT * INTO s FROM doctor_booking_slots WHERE clinic_id = p_clinic AND id = p_slot;
            SELECT * INTO b FROM bookings
             WHERE clinic_id = p_clinic AND booking_slot_id = p_slot AND status IN ('pending', 'confirmed');
            IF b.id IS NULL AND s.customer_id IS NOT NULL THEN
                RAISE EXCEPTION 'booking slot % is taken by customer % but has no active booking', p_slot, s.customer_id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_booking_slot_matches_active_booking';
            END IF;
            IF b.id IS NOT NULL AND (s.id IS NULL OR s.customer_id IS DISTINCT FROM b.customer_id OR s.doctor_id <> b.doctor_id
                                     OR s.starts_at <> b.starts_at OR s.ends_at <> b.ends_at) THEN
                RAISE EXCEPTION 'booking % is active but its slot % is not held for its customer at its doctor and times', b.id, p_slot
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_booking_slot_matches_active_booking';
            END IF;
        END $$;

        CREATE FUNCTION doctor_booking_slots_match_booking() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM check_slot_matches_active_booking(NEW.clinic_id, NEW.id);
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER doctor_booking_slots_taken_with_booking AFTER INSERT ON doctor_booking_slots
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.customer_id IS NOT NULL)
            EXECUTE FUNCTION doctor_booking_slots_match_booking();
        CREATE CONSTRAINT TRIGGER doctor_booking_slots_match_booking
            AFTER UPDATE OF customer_id, doctor_id, starts_at, ends_at ON doctor_booking_slots
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION doctor_booking_slots_match_booking();

        CREATE FUNCTION bookings_match_slot() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.booking_slot_id IS NOT NULL THEN
                PERFORM check_slot_matches_active_booking(NEW.clinic_id, NEW.booking_slot_id);
            END IF;
            IF TG_OP = 'UPDATE' AND OLD.booking_slot_id IS DISTINCT FROM NEW.booking_slot_id AND OLD.booking_slot_id IS NOT NULL THEN
                PERFORM check_slot_matches_active_booking(OLD.clinic_id, OLD.booking_slot_id);
            END IF;
            RETURN NULL;
        END $$;
        CREATE CONSTRAINT TRIGGER bookings_match_slot
            AFTER INSERT OR UPDATE OF status, booking_slot_id, customer_id, doctor_id, starts_at, ends_at ON bookings
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION bookings_match_slot();

        -- A clinic's time zone is an IANA name PostgreSQL knows (generation computes every slot with it), and,
        -- like a shift's hours, it is fixed while future slots were computed from it.
        CREATE FUNCTION clinics_time_zone_rules() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = NEW.time_zone AND name NOT LIKE 'posix/%') THEN
                RAISE EXCEPTION 'time zone "%" is not an IANA time zone name', NEW.time_zone
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_clinics_time_zone_iana';
            END IF;
            IF TG_OP = 'UPDATE' AND NEW.time_zone <> OLD.time_zone AND EXISTS (
                   SELECT 1 FROM doctor_booking_slots s WHERE s.clinic_id = OLD.id AND s.ends_at > now()) THEN
                RAISE EXCEPTION 'clinic % has future booking slots computed in time zone %', OLD.id, OLD.time_zone
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_clinics_time_zone_fixed_while_future_slots';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER clinics_time_zone_rules BEFORE INSERT OR UPDATE OF time_zone ON clinics
            FOR EACH ROW EXECUTE FUNCTION clinics_time_zone_rules();

        CREATE FUNCTION time_slots_hours_rules() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF (NEW.start_time, NEW.end_time) IS DISTINCT FROM (OLD.start_time, OLD.end_time) AND EXISTS (
                   SELECT 1 FROM doctor_booking_slots s
                    WHERE s.clinic_id = OLD.clinic_id AND s.time_slot_id = OLD.id AND s.ends_at > now()) THEN
                RAISE EXCEPTION 'time slot % of clinic % has future booking slots at its current hours', OLD.id, OLD.clinic_id
                    USING ERRCODE = 'check_violation', CONSTRAINT = 'ck_time_slots_hours_fixed_while_future_slots';
            END IF;
            RETURN NEW;
        END $$;
        CREATE TRIGGER time_slots_hours_rules BEFORE UPDATE OF start_time, end_time ON time_slots
            FOR EACH ROW EXECUTE FUNCTION time_slots_hours_rules();
        """;

    public const string SlotsAgreeWithBookingsDown = """
        DROP TRIGGER IF EXISTS doctor_booking_slots_taken_with_booking ON doctor_booking_slots;
        DROP TRIGGER IF EXISTS doctor_booking_slots_match_booking ON doctor_booking_slots;
        DROP TRIGGER IF EXISTS bookings_match_slot ON bookings;
        DROP TRIGGER IF EXISTS clinics_time_zone_rules ON clinics;
        DROP TRIGGER IF EXISTS time_slots_hours_rules ON time_slots;
        DROP FUNCTION IF EXISTS doctor_booking_slots_match_booking();
        DROP FUNCTION IF EXISTS bookings_match_slot();
        DROP FUNCTION IF EXISTS check_slot_matches_active_booking(bigint, bigint);
        DROP FUNCTION IF EXISTS clinics_time_zone_rules();
        DROP FUNCTION IF EXISTS time_slots_hours_rules();
        """;

    public const string BookingsDown = """
        DROP FUNCTION IF EXISTS bookings_forward_only();
        DROP FUNCTION IF EXISTS bookings_release_slot();
        """;

    /// <summary>Undoes <see cref="BeforeTables"/> after the tables are dropped (the triggers go with them).</summary>
    public const string Down = """
        DROP FUNCTION IF EXISTS doctor_booking_slots_require_active_parents();
        DROP FUNCTION IF EXISTS refuse_deactivation_with_future_slots();
        DROP FUNCTION IF EXISTS next_clinic_id();
        DROP SEQUENCE IF EXISTS clinic_number_seq;
        DROP TABLE IF EXISTS shard_identity;
        """;
}
