namespace ImageOrleans.Silo.Hosting;

public static class ImageOrleansArgs
{
    /// <summary>
    /// The gateway's host defaults, ahead of the caller's own arguments (which win). Configuration is
    /// read once at start: watching the content root for changes would wake on every image stored in
    /// the data folder beneath it.
    /// </summary>
    public static string[] WithDefaults(string[] args) => ["--hostBuilder:reloadConfigOnChange=false", .. args];
}
