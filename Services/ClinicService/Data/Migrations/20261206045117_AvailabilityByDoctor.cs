using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class AvailabilityByDoctor : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateIndex(
                name: "ix_doctor_booking_slots_doctor_starts_at",
                table: "doctor_booking_slots",
                columns: new[] { "clinic_id", "doctor_id", "starts_at" });

            // Availability by specialization finds the matching doctors first, by the lower-cased name it compares.
            migrationBuilder.Sql("CREATE INDEX ix_doctors_lower_specialization ON doctors (lower(specialization)) WHERE is_active;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DROP INDEX ix_doctors_lower_specialization;");
            migrationBuilder.DropIndex(
                name: "ix_doctor_booking_slots_doctor_starts_at",
                table: "doctor_booking_slots");
        }
    }
}
