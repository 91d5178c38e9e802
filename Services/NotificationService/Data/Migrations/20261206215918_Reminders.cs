using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.NotificationService.Data.Migrations
{
    /// <inheritdoc />
    public partial class Reminders : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notifications_due_at_queued",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "ux_notifications_booking_id_kind_channel",
                table: "notifications");

            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications");

            migrationBuilder.AddColumn<int>(
                name: "lead_minutes",
                table: "notifications",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "not_before",
                table: "notifications",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTimeOffset(new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified), new TimeSpan(0, 0, 0, 0, 0)));

            // What was queued before reminders existed could go out from when it was due.
            migrationBuilder.Sql("UPDATE notifications SET not_before = due_at");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_not_before_queued",
                table: "notifications",
                column: "not_before",
                filter: "status = 'Queued'");

            migrationBuilder.CreateIndex(
                name: "ux_notifications_booking_id_kind_channel_lead_minutes",
                table: "notifications",
                columns: new[] { "booking_id", "kind", "channel", "lead_minutes" },
                unique: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications",
                sql: "kind IN ('Confirmation', 'Cancellation', 'Reminder')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_lead_minutes",
                table: "notifications",
                sql: "(kind = 'Reminder') = (lead_minutes > 0) AND lead_minutes >= 0");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_notifications_not_before_queued",
                table: "notifications");

            migrationBuilder.DropIndex(
                name: "ux_notifications_booking_id_kind_channel_lead_minutes",
                table: "notifications");

            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications");

            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_lead_minutes",
                table: "notifications");

            migrationBuilder.DropColumn(
                name: "lead_minutes",
                table: "notifications");

            migrationBuilder.DropColumn(
                name: "not_before",
                table: "notifications");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_due_at_queued",
                table: "notifications",
                column: "due_at",
                filter: "status = 'Queued'");

            migrationBuilder.CreateIndex(
                name: "ux_notifications_booking_id_kind_channel",
                table: "notifications",
                columns: new[] { "booking_id", "kind", "channel" },
                unique: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications",
                sql: "kind IN ('Confirmation', 'Cancellation')");
        }
    }
}
