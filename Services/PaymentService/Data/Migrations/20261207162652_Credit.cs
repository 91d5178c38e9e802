using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicBooking.PaymentService.Data.Migrations
{
    /// <inheritdoc />
    public partial class Credit : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_payments_method",
                table: "payments");

            migrationBuilder.CreateTable(
                name: "clinic_payment_policies",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    cancellation_notice_hours = table.Column<int>(type: "integer", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_clinic_payment_policies", x => x.clinic_id);
                    table.CheckConstraint("ck_clinic_payment_policies_notice", "cancellation_notice_hours BETWEEN 0 AND 720");
                });

            migrationBuilder.CreateTable(
                name: "credit_balances",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    balance = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_balances", x => new { x.clinic_id, x.customer_id, x.currency });
                    table.CheckConstraint("ck_credit_balances_not_negative", "balance >= 0");
                });

            migrationBuilder.CreateTable(
                name: "credit_notes",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false),
                    invoice_id = table.Column<long>(type: "bigint", nullable: false),
                    reason = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    issued_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_notes", x => x.id);
                    table.CheckConstraint("ck_credit_notes_amount", "amount > 0");
                    table.CheckConstraint("ck_credit_notes_currency", "currency ~ '^[A-Z]{3}$'");
                    table.ForeignKey(
                        name: "fk_credit_notes_invoices_invoice_id",
                        column: x => x.invoice_id,
                        principalTable: "invoices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "credit_entries",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: false),
                    amount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false),
                    kind = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    credit_note_id = table.Column<long>(type: "bigint", nullable: true),
                    payment_id = table.Column<long>(type: "bigint", nullable: true),
                    recorded_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_credit_entries", x => x.id);
                    table.CheckConstraint("ck_credit_entries_amount", "amount <> 0");
                    table.CheckConstraint("ck_credit_entries_kind", "kind IN ('credit-note', 'unallocated', 'applied', 'refunded')");
                    table.CheckConstraint("ck_credit_entries_sign", "(amount > 0) = (kind IN ('credit-note', 'unallocated'))");
                    table.CheckConstraint("ck_credit_entries_source", "(kind = 'credit-note') = (credit_note_id IS NOT NULL) AND (kind = 'credit-note' OR payment_id IS NOT NULL)");
                    table.ForeignKey(
                        name: "fk_credit_entries_credit_notes_credit_note_id",
                        column: x => x.credit_note_id,
                        principalTable: "credit_notes",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_credit_entries_payments_payment_id",
                        column: x => x.payment_id,
                        principalTable: "payments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_payments_method",
                table: "payments",
                sql: "method IN ('desk', 'card', 'credit')");

            migrationBuilder.CreateIndex(
                name: "ix_credit_entries_credit_note_id",
                table: "credit_entries",
                column: "credit_note_id");

            migrationBuilder.CreateIndex(
                name: "ix_credit_entries_customer_id_clinic_id_created_at",
                table: "credit_entries",
                columns: new[] { "customer_id", "clinic_id", "created_at" });

            migrationBuilder.CreateIndex(
                name: "ux_credit_entries_unallocated_payment",
                table: "credit_entries",
                column: "payment_id",
                unique: true,
                filter: "kind = 'unallocated'");

            migrationBuilder.CreateIndex(
                name: "ix_credit_notes_invoice_id",
                table: "credit_notes",
                column: "invoice_id",
                unique: true);

            migrationBuilder.Sql(PaymentSchema.CreditRules);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "clinic_payment_policies");

            migrationBuilder.DropTable(
                name: "credit_balances");

            migrationBuilder.DropTable(
                name: "credit_entries");

            migrationBuilder.DropTable(
                name: "credit_notes");

            migrationBuilder.DropCheckConstraint(
                name: "ck_payments_method",
                table: "payments");

            migrationBuilder.AddCheckConstraint(
                name: "ck_payments_method",
                table: "payments",
                sql: "method IN ('desk', 'card')");
        }
    }
}
