using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class ConsultationModes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "mode",
                table: "time_slots",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "in-person");

            migrationBuilder.AddColumn<string>(
                name: "mode",
                table: "doctor_slots",
                type: "character varying(16)",
                maxLength: 16,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "mode",
                table: "bookings",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "in-person");

            migrationBuilder.AddColumn<string>(
                name: "mode",
                table: "booking_slots",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "in-person");

            migrationBuilder.AddCheckConstraint(
                name: "ck_time_slots_mode",
                table: "time_slots",
                sql: "mode IN ('in-person', 'online', 'either')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_doctor_slots_mode",
                table: "doctor_slots",
                sql: "mode IN ('in-person', 'online', 'either')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_mode",
                table: "bookings",
                sql: "mode IN ('in-person', 'online')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_booking_slots_mode",
                table: "booking_slots",
                sql: "mode IN ('in-person', 'online', 'either')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_time_slots_mode",
                table: "time_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_doctor_slots_mode",
                table: "doctor_slots");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_mode",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_booking_slots_mode",
                table: "booking_slots");

            migrationBuilder.DropColumn(
                name: "mode",
                table: "time_slots");

            migrationBuilder.DropColumn(
                name: "mode",
                table: "doctor_slots");

            migrationBuilder.DropColumn(
                name: "mode",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "mode",
                table: "booking_slots");
        }
    }
}
