namespace ImageOrleans.Silo.Hosting;

/// <summary>The HTTP front door (section <c>ImageOrleans:FrontDoor</c>).</summary>
public sealed class FrontDoorOptions
{
    /// <summary>Largest accepted JSON body; a 32,000-character prompt fits many times over.</summary>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Serve the Orleans dashboard at /dashboard.</summary>
    public bool Dashboard { get; set; } = true;
}
