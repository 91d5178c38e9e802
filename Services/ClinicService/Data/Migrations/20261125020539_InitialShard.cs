using System;
using ClinicBooking.ClinicService.Data;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialShard : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterDatabase()
                .Annotation("Npgsql:PostgresExtension:btree_gist", ",,");

            migrationBuilder.CreateSequence(
                name: "scoped_row_seq",
                minValue: 1L,
                maxValue: 1073741823L);

            migrationBuilder.Sql(ShardSchemaHistory.BeforeTables);

            migrationBuilder.CreateTable(
                name: "clinics",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "next_clinic_id()"),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    address = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    active_clinic_id = table.Column<long>(type: "bigint", nullable: true, computedColumnSql: "CASE WHEN is_active THEN id END", stored: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clinics", x => x.id);
                    table.CheckConstraint("ck_clinics_id_shape", "id BETWEEN 64 AND 8388607");
                    table.CheckConstraint("ck_clinics_name_not_blank", "length(btrim(name)) > 0");
                    table.CheckConstraint("ck_clinics_time_zone_not_blank", "length(btrim(time_zone)) > 0");
                });

            migrationBuilder.CreateTable(
                name: "doctor_slot_templates",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false, computedColumnSql: "(clinic_id << 30) | row_no", stored: true),
                    row_no = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('scoped_row_seq')"),
                    doctor_id = table.Column<long>(type: "bigint", nullable: false),
                    time_slot_id = table.Column<long>(type: "bigint", nullable: false),
                    weekday = table.Column<int>(type: "integer", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_doctor_slot_templates", x => new { x.clinic_id, x.id });
                    table.CheckConstraint("ck_doctor_slot_templates_weekday", "weekday BETWEEN 1 AND 7");
                });

            migrationBuilder.CreateTable(
                name: "doctors",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false, computedColumnSql: "(clinic_id << 30) | row_no", stored: true),
                    row_no = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('scoped_row_seq')"),
                    name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    specialization = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    active_doctor_id = table.Column<long>(type: "bigint", nullable: true, computedColumnSql: "CASE WHEN is_active THEN (clinic_id << 30) | row_no END", stored: true),
                    active_clinic_ref = table.Column<long>(type: "bigint", nullable: true, computedColumnSql: "CASE WHEN is_active THEN clinic_id END", stored: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_doctors", x => new { x.clinic_id, x.id });
                    table.CheckConstraint("ck_doctors_name_not_blank", "length(btrim(name)) > 0");
                    table.CheckConstraint("ck_doctors_specialization_not_blank", "length(btrim(specialization)) > 0");
                    table.ForeignKey(
                        name: "fk_doctors_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "time_slots",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false, computedColumnSql: "(clinic_id << 30) | row_no", stored: true),
                    row_no = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('scoped_row_seq')"),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    start_time = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    end_time = table.Column<TimeOnly>(type: "time without time zone", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    active_time_slot_id = table.Column<long>(type: "bigint", nullable: true, computedColumnSql: "CASE WHEN is_active THEN (clinic_id << 30) | row_no END", stored: true),
                    active_clinic_ref = table.Column<long>(type: "bigint", nullable: true, computedColumnSql: "CASE WHEN is_active THEN clinic_id END", stored: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_time_slots", x => new { x.clinic_id, x.id });
                    table.CheckConstraint("ck_time_slots_end_after_start", "end_time > start_time");
                    table.CheckConstraint("ck_time_slots_name_not_blank", "length(btrim(name)) > 0");
                    table.ForeignKey(
                        name: "fk_time_slots_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "doctor_booking_slots",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false, computedColumnSql: "(clinic_id << 30) | row_no", stored: true),
                    row_no = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('scoped_row_seq')"),
                    doctor_id = table.Column<long>(type: "bigint", nullable: false),
                    time_slot_id = table.Column<long>(type: "bigint", nullable: false),
                    date = table.Column<DateOnly>(type: "date", nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_doctor_booking_slots", x => new { x.clinic_id, x.id });
                    table.CheckConstraint("ck_doctor_booking_slots_end_after_start", "ends_at > starts_at");
                    table.ForeignKey(
                        name: "fk_doctor_booking_slots_doctors_clinic_id_doctor_id",
                        columns: x => new { x.clinic_id, x.doctor_id },
                        principalTable: "doctors",
                        principalColumns: new[] { "clinic_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_doctor_booking_slots_time_slots_clinic_id_time_slot_id",
                        columns: x => new { x.clinic_id, x.time_slot_id },
                        principalTable: "time_slots",
                        principalColumns: new[] { "clinic_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_clinics_active_clinic_id",
                table: "clinics",
                column: "active_clinic_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_doctor_booking_slots_clinic_id_starts_at",
                table: "doctor_booking_slots",
                columns: new[] { "clinic_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_doctor_booking_slots_clinic_id_time_slot_id",
                table: "doctor_booking_slots",
                columns: new[] { "clinic_id", "time_slot_id" });

            migrationBuilder.CreateIndex(
                name: "ux_doctor_booking_slots_doctor_time_slot_date",
                table: "doctor_booking_slots",
                columns: new[] { "clinic_id", "doctor_id", "time_slot_id", "date" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_doctor_slot_templates_doctor_time_slot_weekday",
                table: "doctor_slot_templates",
                columns: new[] { "clinic_id", "doctor_id", "time_slot_id", "weekday" },
                unique: true)
                .Annotation("Npgsql:NullsDistinct", false);

            migrationBuilder.CreateIndex(
                name: "ix_doctors_clinic_id_active_doctor_id",
                table: "doctors",
                columns: new[] { "clinic_id", "active_doctor_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_doctors_clinic_id_specialization",
                table: "doctors",
                columns: new[] { "clinic_id", "specialization" });

            migrationBuilder.CreateIndex(
                name: "ix_time_slots_clinic_id_active_time_slot_id",
                table: "time_slots",
                columns: new[] { "clinic_id", "active_time_slot_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_time_slots_active_name",
                table: "time_slots",
                columns: new[] { "clinic_id", "name" },
                unique: true,
                filter: "is_active");

            migrationBuilder.Sql(ShardSchemaHistory.AfterTables);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "doctor_booking_slots");

            migrationBuilder.DropTable(
                name: "doctor_slot_templates");

            migrationBuilder.DropTable(
                name: "doctors");

            migrationBuilder.DropTable(
                name: "time_slots");

            migrationBuilder.DropTable(
                name: "clinics");

            migrationBuilder.DropSequence(
                name: "scoped_row_seq");

            migrationBuilder.Sql(ShardSchemaHistory.Down);
        }
    }
}
