using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class SlotHoldsInPlace : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_message_id",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "ix_doctor_booking_slots_free_by_start",
                table: "doctor_booking_slots");

            migrationBuilder.AlterTable(
                name: "doctor_booking_slots")
                .Annotation("Npgsql:StorageParameter:fillfactor", 90);

            migrationBuilder.CreateIndex(
                name: "ix_doctor_booking_slots_starts_at_id",
                table: "doctor_booking_slots",
                columns: new[] { "starts_at", "id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_doctor_booking_slots_starts_at_id",
                table: "doctor_booking_slots");

            migrationBuilder.AlterTable(
                name: "doctor_booking_slots")
                .OldAnnotation("Npgsql:StorageParameter:fillfactor", 90);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_message_id",
                table: "outbox_messages",
                column: "message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_doctor_booking_slots_free_by_start",
                table: "doctor_booking_slots",
                columns: new[] { "starts_at", "id" },
                filter: "customer_id IS NULL");
        }
    }
}
