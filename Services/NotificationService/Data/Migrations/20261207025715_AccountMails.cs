using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.NotificationService.Data.Migrations
{
    /// <inheritdoc />
    public partial class AccountMails : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications");

            migrationBuilder.AlterColumn<long>(
                name: "booking_id",
                table: "notifications",
                type: "bigint",
                nullable: true,
                oldClrType: typeof(long),
                oldType: "bigint");

            migrationBuilder.CreateTable(
                name: "account_mails",
                columns: table => new
                {
                    notification_id = table.Column<long>(type: "bigint", nullable: false),
                    message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    account_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    to_address = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    to_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    token = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    new_email = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_account_mails", x => x.notification_id);
                    table.ForeignKey(
                        name: "fk_account_mails_notifications_notification_id",
                        column: x => x.notification_id,
                        principalTable: "notifications",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_account_mail",
                table: "notifications",
                sql: "(booking_id IS NULL) = (kind IN ('VerifyEmail', 'ResetPassword', 'ConfirmEmailChange', 'EmailChanged')) AND (booking_id IS NOT NULL OR channel = 'Email')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications",
                sql: "kind IN ('Confirmation', 'Cancellation', 'Reminder', 'VerifyEmail', 'ResetPassword', 'ConfirmEmailChange', 'EmailChanged')");

            migrationBuilder.CreateIndex(
                name: "ix_account_mails_message_id",
                table: "account_mails",
                column: "message_id",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "account_mails");

            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_account_mail",
                table: "notifications");

            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications");

            migrationBuilder.AlterColumn<long>(
                name: "booking_id",
                table: "notifications",
                type: "bigint",
                nullable: false,
                defaultValue: 0L,
                oldClrType: typeof(long),
                oldType: "bigint",
                oldNullable: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications",
                sql: "kind IN ('Confirmation', 'Cancellation', 'Reminder')");
        }
    }
}
