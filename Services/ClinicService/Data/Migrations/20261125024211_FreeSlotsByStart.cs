using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class FreeSlotsByStart : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_doctor_booking_slots_free_by_start",
                table: "doctor_booking_slots",
                columns: new[] { "starts_at", "id" },
                filter: "customer_id IS NULL");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_doctor_booking_slots_free_by_start",
                table: "doctor_booking_slots");
        }
    }
}
