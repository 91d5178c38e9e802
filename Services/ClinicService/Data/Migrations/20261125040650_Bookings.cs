using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class Bookings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "bookings",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false, computedColumnSql: "(clinic_id << 30) | row_no", stored: true),
                    row_no = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('scoped_row_seq')"),
                    booking_slot_id = table.Column<long>(type: "bigint", nullable: true),
                    doctor_id = table.Column<long>(type: "bigint", nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    idempotency_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    confirmed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    rejected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_bookings", x => new { x.clinic_id, x.id });
                    table.CheckConstraint("ck_bookings_active_has_slot", "status NOT IN ('pending', 'confirmed') OR booking_slot_id IS NOT NULL");
                    table.CheckConstraint("ck_bookings_customer_id_positive", "customer_id > 0");
                    table.CheckConstraint("ck_bookings_ends_after_starts", "ends_at > starts_at");
                    table.CheckConstraint("ck_bookings_hold_after_request", "expires_at > created_at");
                    table.CheckConstraint("ck_bookings_idempotency_key_not_blank", "idempotency_key IS NULL OR length(idempotency_key) > 0");
                    table.CheckConstraint("ck_bookings_revision_positive", "revision >= 1");
                    table.CheckConstraint("ck_bookings_status", "status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired')");
                    table.CheckConstraint("ck_bookings_status_history", "CASE status\n    WHEN 'pending' THEN confirmed_at IS NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'confirmed' THEN confirmed_at IS NOT NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'rejected' THEN rejected_at IS NOT NULL AND confirmed_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'expired' THEN expired_at IS NOT NULL AND confirmed_at IS NULL AND rejected_at IS NULL AND cancelled_at IS NULL\n    WHEN 'cancelled' THEN cancelled_at IS NOT NULL AND rejected_at IS NULL AND expired_at IS NULL\nEND");
                    table.ForeignKey(
                        name: "fk_bookings_clinics_clinic_id",
                        column: x => x.clinic_id,
                        principalTable: "clinics",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "outbox_messages",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityAlwaysColumn),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    message_type = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    payload = table.Column<string>(type: "jsonb", nullable: false),
                    trace_parent = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    sent_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_outbox_messages", x => x.id);
                });

            migrationBuilder.CreateIndex(
                name: "ix_bookings_clinic_id_booking_slot_id_created_at",
                table: "bookings",
                columns: new[] { "clinic_id", "booking_slot_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ix_bookings_pending_expires_at",
                table: "bookings",
                column: "expires_at",
                filter: "status = 'pending'");

            migrationBuilder.CreateIndex(
                name: "ux_bookings_active_slot",
                table: "bookings",
                columns: new[] { "clinic_id", "booking_slot_id" },
                unique: true,
                filter: "status IN ('pending', 'confirmed')");

            migrationBuilder.CreateIndex(
                name: "ux_bookings_slot_idempotency_key",
                table: "bookings",
                columns: new[] { "clinic_id", "booking_slot_id", "idempotency_key" },
                unique: true,
                filter: "idempotency_key IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_message_id",
                table: "outbox_messages",
                column: "message_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_sent_at",
                table: "outbox_messages",
                column: "sent_at",
                filter: "sent_at IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_outbox_messages_unsent",
                table: "outbox_messages",
                column: "id",
                filter: "sent_at IS NULL");

            migrationBuilder.Sql(ShardSchemaHistory.Bookings);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "bookings");

            migrationBuilder.DropTable(
                name: "outbox_messages");

            migrationBuilder.Sql(ShardSchemaHistory.BookingsDown);
        }
    }
}
