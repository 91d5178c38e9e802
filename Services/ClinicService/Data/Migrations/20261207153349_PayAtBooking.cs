using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class PayAtBooking : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_bookings_active_customer_id",
                table: "bookings");

            migrationBuilder.DropIndex(
                name: "ix_bookings_pending_expires_at",
                table: "bookings");

            migrationBuilder.DropIndex(
                name: "ux_bookings_active_slot",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_active_has_slot",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_status",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_status_history",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_booking_audit_action",
                table: "booking_audit");

            migrationBuilder.AddColumn<bool>(
                name: "pay_at_booking",
                table: "clinics",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "awaiting_payment_at",
                table: "bookings",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "payment_due",
                table: "bookings",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.CreateIndex(
                name: "ix_bookings_active_customer_id",
                table: "bookings",
                column: "customer_id",
                filter: "status IN ('pending', 'awaiting-payment', 'confirmed')");

            migrationBuilder.CreateIndex(
                name: "ix_bookings_pending_expires_at",
                table: "bookings",
                column: "expires_at",
                filter: "status IN ('pending', 'awaiting-payment')");

            migrationBuilder.CreateIndex(
                name: "ux_bookings_active_slot",
                table: "bookings",
                columns: new[] { "clinic_id", "booking_slot_id" },
                unique: true,
                filter: "status IN ('pending', 'awaiting-payment', 'confirmed')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_active_has_slot",
                table: "bookings",
                sql: "status NOT IN ('pending', 'awaiting-payment', 'confirmed') OR booking_slot_id IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_status",
                table: "bookings",
                sql: "status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired', 'awaiting-payment')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_status_history",
                table: "bookings",
                sql: "(awaiting_payment_at IS NULL OR payment_due) AND CASE status\n    WHEN 'pending' THEN awaiting_payment_at IS NULL AND confirmed_at IS NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'awaiting-payment' THEN awaiting_payment_at IS NOT NULL AND confirmed_at IS NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'confirmed' THEN confirmed_at IS NOT NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n        AND (awaiting_payment_at IS NOT NULL) = payment_due\n    WHEN 'rejected' THEN rejected_at IS NOT NULL AND confirmed_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'expired' THEN expired_at IS NOT NULL AND confirmed_at IS NULL AND rejected_at IS NULL AND cancelled_at IS NULL\n    WHEN 'cancelled' THEN cancelled_at IS NOT NULL AND rejected_at IS NULL AND expired_at IS NULL\nEND");

            migrationBuilder.AddCheckConstraint(
                name: "ck_booking_audit_action",
                table: "booking_audit",
                sql: "action IN ('booking.created', 'booking.awaiting-payment', 'booking.confirmed', 'booking.rejected', 'booking.cancelled', 'booking.expired')");

            // The triggers' rules with the new status: awaiting payment holds the slot, and moves only forward.
            migrationBuilder.Sql(ShardSchema.Functions);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_bookings_active_customer_id",
                table: "bookings");

            migrationBuilder.DropIndex(
                name: "ix_bookings_pending_expires_at",
                table: "bookings");

            migrationBuilder.DropIndex(
                name: "ux_bookings_active_slot",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_active_has_slot",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_status",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_bookings_status_history",
                table: "bookings");

            migrationBuilder.DropCheckConstraint(
                name: "ck_booking_audit_action",
                table: "booking_audit");

            migrationBuilder.DropColumn(
                name: "pay_at_booking",
                table: "clinics");

            migrationBuilder.DropColumn(
                name: "awaiting_payment_at",
                table: "bookings");

            migrationBuilder.DropColumn(
                name: "payment_due",
                table: "bookings");

            migrationBuilder.CreateIndex(
                name: "ix_bookings_active_customer_id",
                table: "bookings",
                column: "customer_id",
                filter: "status IN ('pending', 'confirmed')");

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

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_active_has_slot",
                table: "bookings",
                sql: "status NOT IN ('pending', 'confirmed') OR booking_slot_id IS NOT NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_status",
                table: "bookings",
                sql: "status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_bookings_status_history",
                table: "bookings",
                sql: "CASE status\n    WHEN 'pending' THEN confirmed_at IS NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'confirmed' THEN confirmed_at IS NOT NULL AND rejected_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'rejected' THEN rejected_at IS NOT NULL AND confirmed_at IS NULL AND expired_at IS NULL AND cancelled_at IS NULL\n    WHEN 'expired' THEN expired_at IS NOT NULL AND confirmed_at IS NULL AND rejected_at IS NULL AND cancelled_at IS NULL\n    WHEN 'cancelled' THEN cancelled_at IS NOT NULL AND rejected_at IS NULL AND expired_at IS NULL\nEND");

            migrationBuilder.AddCheckConstraint(
                name: "ck_booking_audit_action",
                table: "booking_audit",
                sql: "action IN ('booking.created', 'booking.confirmed', 'booking.rejected', 'booking.cancelled', 'booking.expired')");
        }
    }
}
