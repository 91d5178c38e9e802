using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicBooking.PaymentService.Data.Migrations
{
    /// <inheritdoc />
    public partial class Coupons : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_payments_method",
                table: "payments");

            migrationBuilder.CreateTable(
                name: "coupons",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    code = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    percent_off = table.Column<int>(type: "integer", nullable: true),
                    amount_off = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: true),
                    currency = table.Column<string>(type: "character varying(3)", maxLength: 3, nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    max_redemptions = table.Column<int>(type: "integer", nullable: true),
                    times_redeemed = table.Column<int>(type: "integer", nullable: false, defaultValue: 0),
                    active = table.Column<bool>(type: "boolean", nullable: false, defaultValue: true),
                    created_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    deactivated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_coupons", x => x.id);
                    table.CheckConstraint("ck_coupons_active", "active = (deactivated_at IS NULL)");
                    table.CheckConstraint("ck_coupons_code", "code ~ '^[A-Z0-9][A-Z0-9-]{2,31}$'");
                    table.CheckConstraint("ck_coupons_currency", "(amount_off IS NULL) = (currency IS NULL) AND (currency IS NULL OR currency ~ '^[A-Z]{3}$')");
                    table.CheckConstraint("ck_coupons_discount", "(percent_off IS NULL) <> (amount_off IS NULL) AND (percent_off IS NULL OR percent_off BETWEEN 1 AND 100) AND (amount_off IS NULL OR amount_off > 0)");
                    table.CheckConstraint("ck_coupons_within_limit", "times_redeemed >= 0 AND (max_redemptions IS NULL OR (max_redemptions >= 1 AND times_redeemed <= max_redemptions))");
                });

            migrationBuilder.CreateTable(
                name: "coupon_redemptions",
                columns: table => new
                {
                    coupon_id = table.Column<long>(type: "bigint", nullable: false),
                    invoice_id = table.Column<long>(type: "bigint", nullable: false),
                    payment_id = table.Column<long>(type: "bigint", nullable: false),
                    amount = table.Column<decimal>(type: "numeric(12,2)", precision: 12, scale: 2, nullable: false),
                    redeemed_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_coupon_redemptions", x => new { x.coupon_id, x.invoice_id });
                    table.CheckConstraint("ck_coupon_redemptions_amount", "amount > 0");
                    table.ForeignKey(
                        name: "fk_coupon_redemptions_coupons_coupon_id",
                        column: x => x.coupon_id,
                        principalTable: "coupons",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_coupon_redemptions_invoices_invoice_id",
                        column: x => x.invoice_id,
                        principalTable: "invoices",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                    table.ForeignKey(
                        name: "fk_coupon_redemptions_payments_payment_id",
                        column: x => x.payment_id,
                        principalTable: "payments",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_payments_method",
                table: "payments",
                sql: "method IN ('desk', 'card', 'credit', 'coupon')");

            migrationBuilder.CreateIndex(
                name: "ix_coupon_redemptions_invoice_id",
                table: "coupon_redemptions",
                column: "invoice_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_coupon_redemptions_payment_id",
                table: "coupon_redemptions",
                column: "payment_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_coupons_clinic_id_code",
                table: "coupons",
                columns: new[] { "clinic_id", "code" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "coupon_redemptions");

            migrationBuilder.DropTable(
                name: "coupons");

            migrationBuilder.DropCheckConstraint(
                name: "ck_payments_method",
                table: "payments");

            migrationBuilder.AddCheckConstraint(
                name: "ck_payments_method",
                table: "payments",
                sql: "method IN ('desk', 'card', 'credit')");
        }
    }
}
