using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.CustomerService.Data.Migrations
{
    /// <inheritdoc />
    public partial class ClinicPatients : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "clinic_patients",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    via = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    since = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_clinic_patients", x => new { x.clinic_id, x.customer_id });
                    table.CheckConstraint("ck_clinic_patients_via", "via IN ('booking', 'desk')");
                    table.ForeignKey(
                        name: "FK_clinic_patients_customers_customer_id",
                        column: x => x.customer_id,
                        principalTable: "customers",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_clinic_patients_customer_id",
                table: "clinic_patients",
                column: "customer_id");

            // Customers who booked at a clinic before this table existed are its patients.
            migrationBuilder.Sql("""
                INSERT INTO clinic_patients (clinic_id, customer_id, via, since)
                SELECT clinic_id, customer_id, 'booking', min(updated_at)
                  FROM customer_bookings
                 WHERE status IN ('confirmed', 'cancelled')
                 GROUP BY clinic_id, customer_id
                ON CONFLICT DO NOTHING
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "clinic_patients");
        }
    }
}
