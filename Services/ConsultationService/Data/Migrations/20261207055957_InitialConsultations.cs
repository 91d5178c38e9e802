using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace ClinicBooking.ConsultationService.Data.Migrations
{
    /// <inheritdoc />
    public partial class InitialConsultations : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "consultations",
                columns: table => new
                {
                    booking_id = table.Column<long>(type: "bigint", nullable: false),
                    clinic_id = table.Column<long>(type: "bigint", nullable: false),
                    customer_id = table.Column<long>(type: "bigint", nullable: false),
                    doctor_id = table.Column<long>(type: "bigint", nullable: false),
                    booking_slot_id = table.Column<long>(type: "bigint", nullable: true),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    time_zone = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    is_active = table.Column<bool>(type: "boolean", nullable: false),
                    revision = table.Column<int>(type: "integer", nullable: false),
                    synced_revision = table.Column<int>(type: "integer", nullable: false),
                    provider = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    meeting_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    patient_url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    doctor_url = table.Column<string>(type: "character varying(2000)", maxLength: 2000, nullable: true),
                    meeting_cancelled = table.Column<bool>(type: "boolean", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    next_attempt_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    claimed_until = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_consultations", x => x.booking_id);
                    table.CheckConstraint("ck_consultations_ends_after_starts", "ends_at > starts_at");
                    table.CheckConstraint("ck_consultations_links", "(meeting_id IS NULL) = (patient_url IS NULL) AND (meeting_id IS NULL) = (doctor_url IS NULL)");
                    table.CheckConstraint("ck_consultations_revisions", "revision >= 1 AND synced_revision >= 0 AND synced_revision <= revision");
                });

            migrationBuilder.CreateTable(
                name: "local_meetings",
                columns: table => new
                {
                    id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    reference = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    starts_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ends_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    opens_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    time_zone = table.Column<string>(type: "text", nullable: false),
                    cancelled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_meetings", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "local_meeting_joins",
                columns: table => new
                {
                    id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    meeting_id = table.Column<string>(type: "character varying(64)", nullable: false),
                    participant = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    joined_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_local_meeting_joins", x => x.id);
                    table.CheckConstraint("ck_local_meeting_joins_participant", "participant IN ('patient', 'doctor')");
                    table.ForeignKey(
                        name: "fk_local_meeting_joins_local_meetings_meeting_id",
                        column: x => x.meeting_id,
                        principalTable: "local_meetings",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_consultations_clinic_id_starts_at",
                table: "consultations",
                columns: new[] { "clinic_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_consultations_customer_id_starts_at",
                table: "consultations",
                columns: new[] { "customer_id", "starts_at" });

            migrationBuilder.CreateIndex(
                name: "ix_consultations_due",
                table: "consultations",
                column: "next_attempt_at",
                filter: "synced_revision < revision");

            migrationBuilder.CreateIndex(
                name: "ix_local_meeting_joins_meeting_id",
                table: "local_meeting_joins",
                column: "meeting_id");

            migrationBuilder.CreateIndex(
                name: "ix_local_meetings_reference",
                table: "local_meetings",
                column: "reference",
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "consultations");

            migrationBuilder.DropTable(
                name: "local_meeting_joins");

            migrationBuilder.DropTable(
                name: "local_meetings");
        }
    }
}
