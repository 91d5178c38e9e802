using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ClinicBooking.ClinicService.Data.Migrations
{
    /// <inheritdoc />
    public partial class DoctorAbsences : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "doctor_absences",
                columns: table => new
                {
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    id = table.Column<long>(type: "bigint", nullable: false, computedColumnSql: "(clinic_id << 30) | row_no", stored: true),
                    row_no = table.Column<long>(type: "bigint", nullable: false, defaultValueSql: "nextval('scoped_row_seq')"),
                    doctor_id = table.Column<long>(type: "bigint", nullable: false),
                    from_date = table.Column<DateOnly>(type: "date", nullable: false),
                    to_date = table.Column<DateOnly>(type: "date", nullable: false),
                    note = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    created_by = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_doctor_absences", x => new { x.clinic_id, x.id });
                    table.CheckConstraint("ck_doctor_absences_dates", "to_date >= from_date AND to_date - from_date < 366");
                    table.ForeignKey(
                        name: "fk_doctor_absences_doctors_clinic_id_doctor_id",
                        columns: x => new { x.clinic_id, x.doctor_id },
                        principalTable: "doctors",
                        principalColumns: new[] { "clinic_id", "id" },
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "ix_doctor_absences_clinic_id_doctor_id_from_date",
                table: "doctor_absences",
                columns: new[] { "clinic_id", "doctor_id", "from_date" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "doctor_absences");
        }
    }
}
