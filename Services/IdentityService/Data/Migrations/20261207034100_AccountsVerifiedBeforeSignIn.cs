using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.IdentityService.Data.Migrations
{
    /// <inheritdoc />
    public partial class AccountsVerifiedBeforeSignIn : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_outbox_messages_message_type",
                table: "outbox_messages");

            migrationBuilder.AddCheckConstraint(
                name: "ck_outbox_messages_message_type",
                table: "outbox_messages",
                sql: "message_type IN ('VerifyEmail', 'ResetPassword', 'ConfirmEmailChange', 'EmailChanged', 'CustomerEmailChanged', 'AccountExists')");

            // From now on an account signs in once its address is verified. The accounts made before that rule
            // signed in without it, and keep doing so.
            migrationBuilder.Sql("UPDATE accounts SET email_confirmed = true WHERE NOT email_confirmed;");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_outbox_messages_message_type",
                table: "outbox_messages");

            migrationBuilder.AddCheckConstraint(
                name: "ck_outbox_messages_message_type",
                table: "outbox_messages",
                sql: "message_type IN ('VerifyEmail', 'ResetPassword', 'ConfirmEmailChange', 'EmailChanged', 'CustomerEmailChanged')");
        }
    }
}
