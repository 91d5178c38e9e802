using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <summary>
    /// One name per concept: the tables take the names of what they store, as the routes and entities do
    /// (doctor_slot_templates → doctor_slots, doctor_booking_slots → booking_slots), with every constraint,
    /// index, trigger and function named after them. Renames only: no row moves, no key is rebuilt (the
    /// bookings' foreign key to the slots stays as it is), and the trigger functions are replaced in place.
    /// </summary>
    public partial class OneNamePerConcept : Migration
    {
        private static readonly (string Old, string New)[] Tables =
        [
            ("doctor_slot_templates", "doctor_slots"),
            ("doctor_booking_slots", "booking_slots"),
        ];

        // (table, by its new name; old name; new name)
        private static readonly (string Table, string Old, string New)[] Constraints =
        [
            ("doctor_slots", "pk_doctor_slot_templates", "pk_doctor_slots"),
            ("doctor_slots", "ck_doctor_slot_templates_weekday", "ck_doctor_slots_weekday"),
            ("doctor_slots", "fk_doctor_slot_templates_active_doctor", "fk_doctor_slots_active_doctor"),
            ("doctor_slots", "fk_doctor_slot_templates_active_time_slot", "fk_doctor_slots_active_time_slot"),
            ("booking_slots", "pk_doctor_booking_slots", "pk_booking_slots"),
            ("booking_slots", "ck_doctor_booking_slots_end_after_start", "ck_booking_slots_end_after_start"),
            ("booking_slots", "ex_doctor_booking_slots_doctor_overlap", ShardSchema.OverlapConstraint),
            ("booking_slots", "fk_doctor_booking_slots_doctors_clinic_id_doctor_id", "fk_booking_slots_doctors_clinic_id_doctor_id"),
            ("booking_slots", "fk_doctor_booking_slots_time_slots_clinic_id_time_slot_id", "fk_booking_slots_time_slots_clinic_id_time_slot_id"),
            // A constraint trigger is also a constraint, named like the trigger.
            ("booking_slots", "doctor_booking_slots_taken_with_booking", "booking_slots_taken_with_booking"),
            ("booking_slots", "doctor_booking_slots_match_booking", "booking_slots_match_booking"),
        ];

        private static readonly (string Old, string New)[] Indexes =
        [
            ("ux_doctor_slot_templates_doctor_time_slot_weekday", ClinicDbContext.UniqueDoctorSlot),
            ("ux_doctor_booking_slots_doctor_time_slot_date", ClinicDbContext.UniqueBookingSlot),
            ("ix_doctor_booking_slots_clinic_id_starts_at", "ix_booking_slots_clinic_id_starts_at"),
            ("ix_doctor_booking_slots_clinic_id_time_slot_id", "ix_booking_slots_clinic_id_time_slot_id"),
            ("ix_doctor_booking_slots_doctor_starts_at", "ix_booking_slots_doctor_starts_at"),
            ("ix_doctor_booking_slots_starts_at_id", "ix_booking_slots_starts_at_id"),
        ];

        private static readonly (string Table, string Old, string New)[] Triggers =
        [
            ("booking_slots", "doctor_booking_slots_require_active_parents", "booking_slots_require_active_parents"),
            ("booking_slots", "doctor_booking_slots_taken_with_booking", "booking_slots_taken_with_booking"),
            ("booking_slots", "doctor_booking_slots_match_booking", "booking_slots_match_booking"),
        ];

        private static readonly (string Old, string New)[] Functions =
        [
            ("doctor_booking_slots_require_active_parents", "booking_slots_require_active_parents"),
            ("doctor_booking_slots_match_booking", "booking_slots_match_booking"),
        ];

        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            foreach (var (old, @new) in Tables)
            {
                migrationBuilder.Sql($"ALTER TABLE {old} RENAME TO {@new};");
            }
            Rename(migrationBuilder, forward: true);
            migrationBuilder.Sql(ShardSchema.Functions);
            migrationBuilder.Sql(ShardSchema.DeactivationTriggers);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            Rename(migrationBuilder, forward: false);
            foreach (var (old, @new) in Tables)
            {
                migrationBuilder.Sql($"ALTER TABLE {@new} RENAME TO {old};");
            }
            // The functions as the earlier migrations wrote them, replaced in place.
            foreach (var sql in new[] { ShardSchemaHistory.AfterTables, ShardSchemaHistory.Bookings, ShardSchemaHistory.SlotsAgreeWithBookings })
            {
                migrationBuilder.Sql(FunctionsOf(sql));
            }
            migrationBuilder.Sql("""
                CREATE OR REPLACE TRIGGER doctors_refuse_deactivation_with_future_slots
                    BEFORE UPDATE OF is_active ON doctors
                    FOR EACH ROW EXECUTE FUNCTION refuse_deactivation_with_future_slots('doctor_id', 'fk_doctor_booking_slots_active_doctor');
                CREATE OR REPLACE TRIGGER time_slots_refuse_deactivation_with_future_slots
                    BEFORE UPDATE OF is_active ON time_slots
                    FOR EACH ROW EXECUTE FUNCTION refuse_deactivation_with_future_slots('time_slot_id', 'fk_doctor_booking_slots_active_time_slot');
                """);
        }

        // Runs while the tables have their new names (after them going up, before them going down).
        private static void Rename(MigrationBuilder migrationBuilder, bool forward)
        {
            (string From, string To) Names(string old, string @new) => forward ? (old, @new) : (@new, old);

            foreach (var (table, old, @new) in Constraints)
            {
                var (from, to) = Names(old, @new);
                migrationBuilder.Sql($"ALTER TABLE {table} RENAME CONSTRAINT {from} TO {to};");
            }
            foreach (var (old, @new) in Indexes)
            {
                var (from, to) = Names(old, @new);
                migrationBuilder.Sql($"ALTER INDEX {from} RENAME TO {to};");
            }
            foreach (var (table, old, @new) in Triggers)
            {
                var (from, to) = Names(old, @new);
                migrationBuilder.Sql($"ALTER TRIGGER {from} ON {table} RENAME TO {to};");
            }
            foreach (var (old, @new) in Functions)
            {
                var (from, to) = Names(old, @new);
                migrationBuilder.Sql($"ALTER FUNCTION {from}() RENAME TO {to};");
            }
        }

        /// <summary>The CREATE FUNCTION statements of a frozen script, as CREATE OR REPLACE (its other statements left out).</summary>
        private static string FunctionsOf(string sql) => string.Join("\n", System.Text.RegularExpressions.Regex
            .Matches(sql, @"CREATE FUNCTION .*?^END \$\$;", System.Text.RegularExpressions.RegexOptions.Multiline | System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => m.Value.Replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION")));
    }
}
