namespace ImageOrleans.Silo.Hosting;

/// <summary>Development conveniences (section <c>ImageOrleans:Dev</c>).</summary>
public sealed class DevOptions
{
    /// <summary>
    /// A client key accepted in addition to the configured ones. On a local single silo with no key
    /// configured at all, one is generated, kept in the data folder and printed at start-up.
    /// </summary>
    public string? ClientKey { get; set; }
}
