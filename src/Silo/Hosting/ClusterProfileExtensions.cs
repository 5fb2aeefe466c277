namespace ImageOrleans.Silo.Hosting;

public static class ClusterProfileExtensions
{
    /// <summary>Grain storage names used by the grains; every profile must provide each one.</summary>
    public static readonly string[] StorageNames = ["accounts", "pool", "cache"];

    /// <summary>Membership and storage for the chosen profile.</summary>
    public static ISiloBuilder ConfigureClusterProfile(this ISiloBuilder silo, ClusterProfileOptions cluster)
    {
        switch (cluster.Mode)
        {
            case ClusterMode.Localhost:
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, null, cluster.ServiceId, cluster.ClusterId);
                foreach (var name in StorageNames)
                {
                    silo.AddMemoryGrainStorage(name);
                }

                silo.AddMemoryGrainStorageAsDefault();
                silo.UseInMemoryReminderService();
                break;
            default:
                throw new NotSupportedException($"Cluster mode {cluster.Mode} is not available in this build.");
        }

        return silo;
    }
}
