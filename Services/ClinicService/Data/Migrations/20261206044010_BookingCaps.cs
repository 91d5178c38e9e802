using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class BookingCaps : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "max_active_bookings_per_customer",
                table: "clinics",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "booked_by",
                table: "bookings",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "customer");

            migrationBuilder.AddCheckConstraint(
                name: "ck_clinics_max_active_bookings_per_customer",
                table: "clinics",
                sql: "max_active_bookings_per_customer BETWEEN 1 AND 100");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_booked_by",
                table: "bookings",
                sql: "booked_by IN ('customer', 'staff', 'administrator')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_clinics_max_active_bookings_per_customer",
                table: "clinics");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_booked_by",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "max_active_bookings_per_customer",
                table: "clinics");

            migrationBuilder.DropColumn(
                name: "booked_by",
                table: "bookings");
        }
    }
}
