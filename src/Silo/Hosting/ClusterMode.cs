namespace ImageOrleans.Silo.Hosting;

/// <summary>How silos find each other and where grain state lives.</summary>
public enum ClusterMode
{
    /// <summary>One silo on this machine, state in memory: the embedded default.</summary>
    Localhost,

    /// <summary>Production: Redis membership, PostgreSQL grain state and reminders.</summary>
    Redis,
}
