using Npgsql;

namespace ClinicBooking.Shared;

/// <summary>The settings every service connection to PostgreSQL is opened with.</summary>
internal static class ConnectionSettings
{
    /// <summary>The longest any statement of a service may run unless it sets its own limit (SET LOCAL).</summary>
    public static readonly TimeSpan StatementTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Every statement has a time limit on the server (<c>statement_timeout</c>): a request that asks for too
    /// much work is stopped by the database itself, whether or not its client still waits; the client's own
    /// limit (<c>CommandTimeout</c>) is a little longer, so the server's error arrives first.
    /// <para>
    /// Statements are not auto-prepared. Npgsql 10.0.3 marks a statement prepared even when the run that
    /// prepares it fails while binding its parameters (a NUL in text, a value out of range); that connection
    /// then fails every later run of the statement with "Received unexpected backend message DataRow"
    /// (npgsql/npgsql#6391), so one bad request broke later valid ones. Validation keeps such values out,
    /// but no request, whatever it holds, may harm the next one.
    /// </para>
    /// <para>
    /// A connection going back to the pool is not reset: the reset is several statements (RESET ALL,
    /// advisory unlock, ...) before the next command, for session state that the services never set (they
    /// only use SET LOCAL and transaction-level locks); an open transaction is still rolled back.
    /// </para>
    /// </summary>
    public static string ForServices(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        MaxAutoPrepare = 0,
        NoResetOnClose = true,
        Options = $"-c statement_timeout={(int)StatementTimeout.TotalMilliseconds}",
        CommandTimeout = (int)StatementTimeout.TotalSeconds + 5,
    }.ConnectionString;
}
