using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.NotificationService.Data.Migrations
{
    /// <inheritdoc />
    public partial class AwaitingPayment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_appointments_status",
                table: "appointments");

            migrationBuilder.AddCheckConstraint(
                name: "ck_appointments_status",
                table: "appointments",
                sql: "status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired', 'awaiting-payment')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_appointments_status",
                table: "appointments");

            migrationBuilder.AddCheckConstraint(
                name: "ck_appointments_status",
                table: "appointments",
                sql: "status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired')");
        }
    }
}
