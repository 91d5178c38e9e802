using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.CustomerService.Data.Migrations
{
    /// <inheritdoc />
    public partial class AwaitingPayment : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_customer_bookings_status",
                table: "customer_bookings");

            migrationBuilder.AddCheckConstraint(
                name: "ck_customer_bookings_status",
                table: "customer_bookings",
                sql: "status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired', 'awaiting-payment')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_customer_bookings_status",
                table: "customer_bookings");

            migrationBuilder.AddCheckConstraint(
                name: "ck_customer_bookings_status",
                table: "customer_bookings",
                sql: "status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired')");
        }
    }
}
