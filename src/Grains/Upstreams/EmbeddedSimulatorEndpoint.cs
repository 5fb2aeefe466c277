namespace ImageOrleans.Grains.Upstreams;

/// <summary>Where the simulator running inside this process listens, once it has started.</summary>
public sealed class EmbeddedSimulatorEndpoint
{
    private Uri? _apiBase;

    /// <summary>The simulator's <c>/v1/</c> base, or null when no simulator runs in this process.</summary>
    public Uri? ApiBase => Volatile.Read(ref _apiBase);

    public void Set(Uri serverAddress) => Volatile.Write(ref _apiBase, new Uri(serverAddress, "v1/"));
}
