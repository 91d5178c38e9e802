using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.CustomerService.Data.Migrations
{
    /// <inheritdoc />
    public partial class CustomerContacts : Migration
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
                sql: "message_type IN ('CustomerStatusChanged', 'CustomerContactChanged')");

            // The customers there are already: NotificationService learns how to reach each of them, as it
            // learns of every new one (the outbox sends each as the customer is when it is sent).
            migrationBuilder.Sql("""
                INSERT INTO outbox_messages (message_type, customer_id)
                SELECT 'CustomerContactChanged', id FROM customers ORDER BY id
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql("DELETE FROM outbox_messages WHERE message_type = 'CustomerContactChanged'");

            migrationBuilder.DropCheckConstraint(
                name: "ck_outbox_messages_message_type",
                table: "outbox_messages");

            migrationBuilder.AddCheckConstraint(
                name: "ck_outbox_messages_message_type",
                table: "outbox_messages",
                sql: "message_type IN ('CustomerStatusChanged')");
        }
    }
}
