using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.NotificationService.Data.Migrations
{
    /// <inheritdoc />
    public partial class PreferencesAndSms : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_channel",
                table: "notifications");

            migrationBuilder.CreateTable(
                name: "preferences",
                columns: table => new
                {
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    email_confirmations = table.Column<bool>(type: "boolean", nullable: false),
                    email_cancellations = table.Column<bool>(type: "boolean", nullable: false),
                    email_reminders = table.Column<bool>(type: "boolean", nullable: false),
                    sms_confirmations = table.Column<bool>(type: "boolean", nullable: false),
                    sms_cancellations = table.Column<bool>(type: "boolean", nullable: false),
                    sms_reminders = table.Column<bool>(type: "boolean", nullable: false),
                    unsubscribe_token = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    changed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_preferences", x => x.customer_id);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_channel",
                table: "notifications",
                sql: "channel IN ('Email', 'Sms')");

            migrationBuilder.CreateIndex(
                name: "ix_preferences_unsubscribe_token",
                table: "preferences",
                column: "unsubscribe_token",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "preferences");

            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_channel",
                table: "notifications");

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_channel",
                table: "notifications",
                sql: "channel IN ('Email')");
        }
    }
}
