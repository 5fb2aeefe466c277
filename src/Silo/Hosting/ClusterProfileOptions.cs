namespace ImageOrleans.Silo.Hosting;

/// <summary>Cluster membership and storage (section <c>ImageOrleans:Cluster</c>).</summary>
public sealed class ClusterProfileOptions
{
    public ClusterMode Mode { get; set; } = ClusterMode.Localhost;
    public string ClusterId { get; set; } = "imageorleans";
    public string ServiceId { get; set; } = "imageorleans";
    public int SiloPort { get; set; } = 11111;
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Address other silos reach this one at (Redis mode); the first non-loopback address when unset.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>Take silo name, address and cluster identity from the Kubernetes pod (Redis mode).</summary>
    public bool Kubernetes { get; set; }

    /// <summary>How long a membership probe may take; three missed probes suspect a silo dead.</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a joining silo keeps trying to reach every active silo before it gives up and stops.</summary>
    public TimeSpan JoinTimeout { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Mutual TLS on the silo and gateway ports (Redis mode).</summary>
    public SiloTlsOptions Tls { get; set; } = new();

    public RedisOptions Redis { get; set; } = new();

    public PostgreSqlOptions PostgreSql { get; set; } = new();

    public sealed class RedisOptions
    {
        /// <summary>StackExchange.Redis configuration string, e.g. <c>redis:6379,password=…</c>. Secret: never logged.</summary>
        public string? ConnectionString { get; set; }
    }

    public sealed class PostgreSqlOptions
    {
        /// <summary>Npgsql connection string. Secret: never logged.</summary>
        public string? ConnectionString { get; set; }

        /// <summary>Apply missing schema scripts when the silo starts (safe with several silos at once).</summary>
        public bool ApplySchema { get; set; } = true;
    }

    /// <summary>What stops a Redis-mode silo from starting, worded for the operator.</summary>
    public IEnumerable<string> Problems()
    {
        if (Mode != ClusterMode.Redis)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(Redis.ConnectionString))
        {
            yield return "Set ImageOrleans:Cluster:Redis:ConnectionString for Redis clustering.";
        }

        if (string.IsNullOrWhiteSpace(PostgreSql.ConnectionString))
        {
            yield return "Set ImageOrleans:Cluster:PostgreSql:ConnectionString for grain state and reminders.";
        }

        if (JoinTimeout <= TimeSpan.Zero)
        {
            yield return "ImageOrleans:Cluster:JoinTimeout must be positive.";
        }

        foreach (var problem in Tls.Problems())
        {
            yield return problem;
        }
    }
}
