using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomerStandings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "customer_standings",
                columns: table => new
                {
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_customer_standings", x => x.customer_id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_bookings_active_customer_id",
                table: "bookings",
                column: "customer_id",
                filter: "status IN ('pending', 'confirmed')");

            migrationBuilder.Sql(ShardSchemaHistory.InactiveCustomers);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ShardSchemaHistory.InactiveCustomersDown);

            migrationBuilder.DropTable(
                name: "customer_standings");

            migrationBuilder.DropIndex(
                name: "ix_bookings_active_customer_id",
                table: "bookings");
        }
    }
}
