using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.NotificationService.Data.Migrations
{
    /// <inheritdoc />
    public partial class AccountExistsMail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_account_mail",
                table: "notifications");

            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications");

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_account_mail",
                table: "notifications",
                sql: "(booking_id IS NULL) = (kind IN ('VerifyEmail', 'ResetPassword', 'ConfirmEmailChange', 'EmailChanged', 'AccountExists')) AND (booking_id IS NOT NULL OR channel = 'Email')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications",
                sql: "kind IN ('Confirmation', 'Cancellation', 'Reminder', 'VerifyEmail', 'ResetPassword', 'ConfirmEmailChange', 'EmailChanged', 'AccountExists')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_account_mail",
                table: "notifications");

            migrationBuilder.DropCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications");

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_account_mail",
                table: "notifications",
                sql: "(booking_id IS NULL) = (kind IN ('VerifyEmail', 'ResetPassword', 'ConfirmEmailChange', 'EmailChanged')) AND (booking_id IS NOT NULL OR channel = 'Email')");

            migrationBuilder.AddCheckConstraint(
                name: "ck_notifications_kind",
                table: "notifications",
                sql: "kind IN ('Confirmation', 'Cancellation', 'Reminder', 'VerifyEmail', 'ResetPassword', 'ConfirmEmailChange', 'EmailChanged')");
        }
    }
}
