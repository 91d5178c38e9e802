using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.CustomerService.Data.Migrations
{
    /// <inheritdoc />
    public partial class AuditDetail : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // The building block's column: the same values under its name, with room for every kind of detail.
            migrationBuilder.RenameColumn(name: "fields", table: "customer_audit", newName: "detail");
            migrationBuilder.AlterColumn<string>(
                name: "detail", table: "customer_audit", type: "character varying(500)", maxLength: 500, nullable: true,
                oldClrType: typeof(string), oldType: "character varying(200)", oldMaxLength: 200, oldNullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "detail", table: "customer_audit", type: "character varying(200)", maxLength: 200, nullable: true,
                oldClrType: typeof(string), oldType: "character varying(500)", oldMaxLength: 500, oldNullable: true);
            migrationBuilder.RenameColumn(name: "detail", table: "customer_audit", newName: "fields");
        }
    }
}
