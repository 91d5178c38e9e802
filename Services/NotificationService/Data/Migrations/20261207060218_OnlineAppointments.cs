using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.NotificationService.Data.Migrations
{
    /// <inheritdoc />
    public partial class OnlineAppointments : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "mode",
                table: "appointments",
                type: "character varying(16)",
                maxLength: 16,
                nullable: false,
                defaultValue: "in-person");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "mode",
                table: "appointments");
        }
    }
}
