using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicBooking.PaymentService.Data.Migrations
{
    /// <inheritdoc />
    public partial class CardPayments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "checkout_id",
                table: "payments",
                type: "bigint",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "provider_reference",
                table: "payments",
                type: "character varying(200)",
                maxLength: 200,
                nullable: true);

            migrationBuilder.CreateTable(
                name: "checkouts",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    session_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    idempotency_key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    paid_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    payment_id = table.Column<long>(type: "bigint", nullable: true),
                    last_failure = table.Column<string>(type: "character varying(500)", maxLength: 500, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checkouts", x => x.id);
                    table.CheckConstraint("ck_checkouts_amount", "amount > 0");
                    table.CheckConstraint("ck_checkouts_paid", "(status = 'paid') = (payment_id IS NOT NULL AND paid_at IS NOT NULL)");
                    table.CheckConstraint("ck_checkouts_status", "status IN ('open', 'paid', 'expired')");
                });

            migrationBuilder.CreateTable(
                name: "local_pay_refunds",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    payment_intent = table.Column<string>(type: "text", nullable: false),
                    amount = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_pay_refunds", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "local_pay_requests",
                columns: table => new
                {
                    key = table.Column<string>(type: "character varying(255)", maxLength: 255, nullable: false),
                    request_hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    status_code = table.Column<int>(type: "integer", nullable: true),
                    response = table.Column<string>(type: "text", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_pay_requests", x => x.key);
                });

            migrationBuilder.CreateTable(
                name: "local_pay_sessions",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    client_reference_id = table.Column<string>(type: "text", nullable: true),
                    metadata = table.Column<string>(type: "text", nullable: false),
                    payment_metadata = table.Column<string>(type: "text", nullable: false),
                    amount_total = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "text", nullable: false),
                    description = table.Column<string>(type: "text", nullable: false),
                    success_url = table.Column<string>(type: "text", nullable: false),
                    cancel_url = table.Column<string>(type: "text", nullable: false),
                    status = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    payment_intent = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_pay_sessions", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "local_pay_webhooks",
                columns: table => new
                {
                    sequence = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    payload = table.Column<string>(type: "text", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    deliver_after = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    delivered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    deliveries = table.Column<int>(type: "integer", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    last_error = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_pay_webhooks", x => x.sequence);
                });

            migrationBuilder.CreateTable(
                name: "provider_events",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    received_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_provider_events", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "checkout_invoices",
                columns: table => new
                {
                    checkout_id = table.Column<long>(type: "bigint", nullable: false),
                    invoice_id = table.Column<long>(type: "bigint", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_checkout_invoices", x => new { x.checkout_id, x.invoice_id });
                    table.CheckConstraint("ck_checkout_invoices_amount", "amount > 0");
                    table.ForeignKey(
                        name: "fk_checkout_invoices_checkouts_checkout_id",
                        column: x => x.checkout_id,
                        principalTable: "checkouts",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_checkout_invoices_invoices_invoice_id",
                        column: x => x.invoice_id,
                        principalTable: "invoices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "local_pay_charges",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    session_id = table.Column<string>(type: "character varying(64)", nullable: false),
                    card_last4 = table.Column<string>(type: "character varying(4)", maxLength: 4, nullable: false),
                    outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_pay_charges", x => x.id);
                    table.ForeignKey(
                        name: "fk_local_pay_charges_local_pay_sessions_session_id",
                        column: x => x.session_id,
                        principalTable: "local_pay_sessions",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_payments_checkout_id",
                table: "payments",
                column: "checkout_id");

            migrationBuilder.CreateIndex(
                name: "ux_payments_provider_reference",
                table: "payments",
                column: "provider_reference",
                unique: true);

            migrationBuilder.AddCheckConstraint(
                name: "ck_payments_card",
                table: "payments",
                sql: "(method = 'card') = (provider_reference IS NOT NULL AND checkout_id IS NOT NULL)");

            migrationBuilder.CreateIndex(
                name: "ix_checkout_invoices_invoice_id",
                table: "checkout_invoices",
                column: "invoice_id");

            migrationBuilder.CreateIndex(
                name: "ix_checkouts_session_id",
                table: "checkouts",
                column: "session_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_checkouts_customer_idempotency_key",
                table: "checkouts",
                columns: new[] { "customer_id", "idempotency_key" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ux_local_pay_charges_one_success",
                table: "local_pay_charges",
                column: "session_id",
                unique: true,
                filter: "outcome = 'succeeded'");

            migrationBuilder.CreateIndex(
                name: "ix_local_pay_refunds_payment_intent",
                table: "local_pay_refunds",
                column: "payment_intent");

            migrationBuilder.CreateIndex(
                name: "ix_local_pay_sessions_client_reference_id",
                table: "local_pay_sessions",
                column: "client_reference_id");

            migrationBuilder.CreateIndex(
                name: "ix_local_pay_sessions_payment_intent",
                table: "local_pay_sessions",
                column: "payment_intent",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_local_pay_sessions_status_expires_at",
                table: "local_pay_sessions",
                columns: new[] { "status", "expires_at" });

            migrationBuilder.CreateIndex(
                name: "ix_local_pay_webhooks_id",
                table: "local_pay_webhooks",
                column: "id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_local_pay_webhooks_waiting",
                table: "local_pay_webhooks",
                column: "sequence",
                filter: "delivered_at IS NULL");

            migrationBuilder.AddForeignKey(
                name: "fk_payments_checkouts_checkout_id",
                table: "payments",
                column: "checkout_id",
                principalTable: "checkouts",
                principalColumn: "id",
                onDelete: ReferentialAction.Restrict);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropForeignKey(
                name: "fk_payments_checkouts_checkout_id",
                table: "payments");

            migrationBuilder.DropTable(
                name: "checkout_invoices");

            migrationBuilder.DropTable(
                name: "local_pay_charges");

            migrationBuilder.DropTable(
                name: "local_pay_refunds");

            migrationBuilder.DropTable(
                name: "local_pay_requests");

            migrationBuilder.DropTable(
                name: "local_pay_webhooks");

            migrationBuilder.DropTable(
                name: "provider_events");

            migrationBuilder.DropTable(
                name: "checkouts");

            migrationBuilder.DropTable(
                name: "local_pay_sessions");

            migrationBuilder.DropIndex(
                name: "ix_payments_checkout_id",
                table: "payments");

            migrationBuilder.DropIndex(
                name: "ux_payments_provider_reference",
                table: "payments");

            migrationBuilder.DropCheckConstraint(
                name: "ck_payments_card",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "checkout_id",
                table: "payments");

            migrationBuilder.DropColumn(
                name: "provider_reference",
                table: "payments");
        }
    }
}
