namespace ImageOrleans.Silo.Hosting;

/// <summary>The HTTP front door (section <c>ImageOrleans:FrontDoor</c>).</summary>
public sealed class FrontDoorOptions
{
    /// <summary>Largest accepted JSON body; a 32,000-character prompt fits many times over.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Serve the Orleans dashboard at /dashboard, behind the admin key. Unset: on for the embedded
    /// default, off in the production profile (<c>Cluster:Mode = Redis</c>) unless set to true.
    /// </summary>
    public bool? Dashboard { get; set; }

    /// <summary>
    /// The dashboard's live log stream (/dashboard/Trace). Off unless set: it shows every log line of
    /// the silo, to anyone holding the admin key.
    /// </summary>
    public bool DashboardTrace { get; set; }

    /// <summary>Whether the dashboard is served in the given cluster mode.</summary>
    public bool DashboardEnabled(ClusterMode mode) => Dashboard ?? mode == ClusterMode.Localhost;
}
