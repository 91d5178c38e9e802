using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class Prices : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<decimal>(
                name: "price_amount",
                table: "time_slots",
                type: "numeric(10,2)",
                precision: 10,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "price_currency",
                table: "time_slots",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "price_amount",
                table: "doctor_slots",
                type: "numeric(10,2)",
                precision: 10,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "price_currency",
                table: "doctor_slots",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "price_amount",
                table: "bookings",
                type: "numeric(10,2)",
                precision: 10,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "price_currency",
                table: "bookings",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddColumn<decimal>(
                name: "price_amount",
                table: "booking_slots",
                type: "numeric(10,2)",
                precision: 10,
                scale: 2,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "price_currency",
                table: "booking_slots",
                type: "character varying(3)",
                maxLength: 3,
                nullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_time_slots_price_amount",
                table: "time_slots",
                sql: "price_amount > 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_time_slots_price_both_or_neither",
                table: "time_slots",
                sql: "(price_amount IS NULL) = (price_currency IS NULL)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_time_slots_price_currency",
                table: "time_slots",
                sql: "price_currency ~ '^[A-Z]{3}$'");

            migrationBuilder.AddCheckConstraint(
                name: "ck_doctor_slots_price_amount",
                table: "doctor_slots",
                sql: "price_amount >= 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_doctor_slots_price_both_or_neither",
                table: "doctor_slots",
                sql: "(price_amount IS NULL) = (price_currency IS NULL)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_doctor_slots_price_currency",
                table: "doctor_slots",
                sql: "price_currency ~ '^[A-Z]{3}$'");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_price_amount",
                table: "bookings",
                sql: "price_amount > 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_price_both_or_neither",
                table: "bookings",
                sql: "(price_amount IS NULL) = (price_currency IS NULL)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_price_currency",
                table: "bookings",
                sql: "price_currency ~ '^[A-Z]{3}$'");

            migrationBuilder.AddCheckConstraint(
                name: "ck_booking_slots_price_amount",
                table: "booking_slots",
                sql: "price_amount > 0");

            migrationBuilder.AddCheckConstraint(
                name: "ck_booking_slots_price_both_or_neither",
                table: "booking_slots",
                sql: "(price_amount IS NULL) = (price_currency IS NULL)");

            migrationBuilder.AddCheckConstraint(
                name: "ck_booking_slots_price_currency",
                table: "booking_slots",
                sql: "price_currency ~ '^[A-Z]{3}$'");

            // SlotTerms' rule, written once: what doctor p_doctor's slot in shift p_time_slot on p_date offers and
            // costs. A template of the doctor for that weekday outranks an every-day one, and either outranks the shift,
            // each term on its own; an amount of 0 is free (no price). Frozen here: a later change is a new migration
            // (DROP and CREATE, since its columns are its type). Plain SQL and STABLE, so PostgreSQL inlines it into
            // generation's INSERT and the re-stamping UPDATE.
            migrationBuilder.Sql("""
                CREATE FUNCTION slot_terms(p_clinic bigint, p_doctor bigint, p_time_slot bigint, p_date date)
                RETURNS TABLE (mode varchar, price_amount numeric, price_currency varchar)
                LANGUAGE sql STABLE AS $$
                    SELECT COALESCE(m.mode, ts.mode),
                           CASE WHEN COALESCE(p.price_amount, ts.price_amount) > 0 THEN COALESCE(p.price_amount, ts.price_amount) END,
                           CASE WHEN COALESCE(p.price_amount, ts.price_amount) > 0 THEN COALESCE(p.price_currency, ts.price_currency) END
                      FROM time_slots ts
                      LEFT JOIN LATERAL (
                           SELECT ds.mode FROM doctor_slots ds
                            WHERE ds.clinic_id = p_clinic AND ds.doctor_id = p_doctor AND ds.time_slot_id = p_time_slot
                              AND ds.mode IS NOT NULL AND (ds.weekday IS NULL OR ds.weekday = extract(isodow FROM p_date))
                            ORDER BY ds.weekday NULLS LAST LIMIT 1) m ON true
                      LEFT JOIN LATERAL (
                           SELECT ds.price_amount, ds.price_currency FROM doctor_slots ds
                            WHERE ds.clinic_id = p_clinic AND ds.doctor_id = p_doctor AND ds.time_slot_id = p_time_slot
                              AND ds.price_amount IS NOT NULL AND (ds.weekday IS NULL OR ds.weekday = extract(isodow FROM p_date))
                            ORDER BY ds.weekday NULLS LAST LIMIT 1) p ON true
                     WHERE ts.clinic_id = p_clinic AND ts.id = p_time_slot
                $$;
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP FUNCTION slot_terms(bigint, bigint, bigint, date);");

            migrationBuilder.DropCheckConstraint(
                name: "ck_time_slots_price_amount",
                table: "time_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_time_slots_price_both_or_neither",
                table: "time_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_time_slots_price_currency",
                table: "time_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_doctor_slots_price_amount",
                table: "doctor_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_doctor_slots_price_both_or_neither",
                table: "doctor_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_doctor_slots_price_currency",
                table: "doctor_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_price_amount",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_price_both_or_neither",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_price_currency",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_booking_slots_price_amount",
                table: "booking_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_booking_slots_price_both_or_neither",
                table: "booking_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_booking_slots_price_currency",
                table: "booking_slots");

            migrationBuilder.DropColumn(
                name: "price_amount",
                table: "time_slots");

            migrationBuilder.DropColumn(
                name: "price_currency",
                table: "time_slots");

            migrationBuilder.DropColumn(
                name: "price_amount",
                table: "doctor_slots");

            migrationBuilder.DropColumn(
                name: "price_currency",
                table: "doctor_slots");

            migrationBuilder.DropColumn(
                name: "price_amount",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "price_currency",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "price_amount",
                table: "booking_slots");

            migrationBuilder.DropColumn(
                name: "price_currency",
                table: "booking_slots");
        }
    }
}
