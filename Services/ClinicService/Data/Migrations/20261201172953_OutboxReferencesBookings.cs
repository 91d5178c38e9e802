using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class OutboxReferencesBookings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rows name their booking instead of carrying a payload: messages are built in C# from the booking
            // row when they are sent. Existing rows keep their booking from the payload they were written with;
            // a row whose payload names no booking of this shard could never be sent, and is dropped.
            migrationBuilder.AddColumn<long>(name: "booking_id", table: "outbox_messages", type: "bigint", nullable: true);
            migrationBuilder.AddColumn<long>(name: "clinic_id", table: "outbox_messages", type: "bigint", nullable: true);
            migrationBuilder.Sql("""
                UPDATE outbox_messages
                   SET booking_id = CASE WHEN payload->>'bookingId' ~ '^[0-9]{1,18}$' THEN (payload->>'bookingId')::bigint END,
                       clinic_id = CASE WHEN payload->>'clinicId' ~ '^[0-9]{1,18}$' THEN (payload->>'clinicId')::bigint END;
                DELETE FROM outbox_messages o
                 WHERE NOT EXISTS (SELECT 1 FROM bookings b WHERE b.clinic_id = o.clinic_id AND b.id = o.booking_id);
                """);
            migrationBuilder.AlterColumn<long>(name: "booking_id", table: "outbox_messages", type: "bigint", nullable: false,
                oldClrType: typeof(long), oldType: "bigint", oldNullable: true);
            migrationBuilder.AlterColumn<long>(name: "clinic_id", table: "outbox_messages", type: "bigint", nullable: false,
                oldClrType: typeof(long), oldType: "bigint", oldNullable: true);
            migrationBuilder.DropColumn(name: "payload", table: "outbox_messages");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_clinic_id_booking_id",
                table: "outbox_messages",
                columns: new[] { "clinic_id", "booking_id" });

            migrationBuilder.AddCheckConstraint(
                name: "ck_outbox_messages_message_type",
                table: "outbox_messages",
                sql: "message_type IN ('VerifyCustomer', 'BookingStatusChanged')");

            migrationBuilder.AddForeignKey(
                name: "fk_outbox_messages_bookings_clinic_id_booking_id",
                table: "outbox_messages",
                columns: new[] { "clinic_id", "booking_id" },
                principalTable: "bookings",
                principalColumns: new[] { "clinic_id", "id" },
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_outbox_messages_bookings_clinic_id_booking_id",
                table: "outbox_messages");

            migrationBuilder.DropIndex(
                name: "ix_outbox_messages_clinic_id_booking_id",
                table: "outbox_messages");

            migrationBuilder.DropCheckConstraint(
                name: "ck_outbox_messages_message_type",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "booking_id",
                table: "outbox_messages");

            migrationBuilder.DropColumn(
                name: "clinic_id",
                table: "outbox_messages");

            // The old code cannot send rows without a payload: going back drops the unsent ones.
            migrationBuilder.Sql("DELETE FROM outbox_messages WHERE sent_at IS NULL");
            migrationBuilder.AddColumn<string>(
                name: "payload",
                table: "outbox_messages",
                type: "jsonb",
                nullable: false,
                defaultValue: "{}");
        }
    }
}
