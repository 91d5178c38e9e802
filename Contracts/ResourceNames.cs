namespace ClinicBooking.Contracts;

/// <summary>
/// Names of the resources in the Aspire app model. The AppHost creates resources under these names and the
/// services look up their connection strings and peers by the same names, so they live in one place.
/// </summary>
public static class ResourceNames
{
    public const string Gateway = "gateway";
    public const string CustomerService = "customerservice";
    public const string IdentityService = "identityservice";
    public const string WebApp = "webapp";
    public const string NotificationService = "notificationservice";
    public const string ConsultationService = "consultationservice";
    public const string PaymentService = "paymentservice";

    public const string GlobalPostgres = "postgres-global";
    public const string CustomersDatabase = "customersdb";
    public const string IdentityDatabase = "identitydb";
    public const string NotificationsDatabase = "notificationsdb";
    public const string ConsultationsDatabase = "consultationsdb";
    public const string PaymentsDatabase = "paymentsdb";

    /// <summary>
    /// The streaming replica <paramref name="replica"/> of the global server: a hot standby of every global database
    /// (customers, identity, notifications, consultations, payments) to promote or back up from; no service reads from it.
    /// </summary>
    public static string GlobalReplica(int replica) => $"postgres-global-replica-{replica}";

    /// <summary>The SMTP server mail goes to (locally smtp4dev, with a web inbox); its connection string is <c>smtp://host:port</c>.</summary>
    public const string MailServer = "mail";

    public const string Redis = "redis";
    public const string RabbitMq = "rabbitmq";

    /// <summary>The ClinicService cell that owns shard <paramref name="shard"/>.</summary>
    public static string ClinicCell(int shard) => $"clinicservice-{shard}";

    /// <summary>The PostgreSQL server that holds shard <paramref name="shard"/>.</summary>
    public static string ShardPostgres(int shard) => $"postgres-shard-{shard}";

    /// <summary>The connection-string name of shard <paramref name="shard"/>'s database.</summary>
    public static string ShardDatabase(int shard) => $"shard-{shard}";

    /// <summary>The streaming replica <paramref name="replica"/> of shard <paramref name="shard"/>'s server.</summary>
    public static string ShardReplica(int shard, int replica) => $"postgres-shard-{shard}-replica-{replica}";

    /// <summary>
    /// The connection-string name of shard <paramref name="shard"/>'s database on its replica <paramref name="replica"/>:
    /// the cell reads every <c>shard-N-replica-*</c> it is given (read-only, for reads that may be stale).
    /// </summary>
    public static string ShardReplicaDatabase(int shard, int replica) => $"shard-{shard}-replica-{replica}";
}
