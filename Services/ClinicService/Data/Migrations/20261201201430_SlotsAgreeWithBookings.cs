using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class SlotsAgreeWithBookings : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // Rules only, checked on every change from now on; rows written before are not re-checked.
            migrationBuilder.Sql(ShardSchemaHistory.SlotsAgreeWithBookings);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.Sql(ShardSchemaHistory.SlotsAgreeWithBookingsDown);
        }
    }
}
