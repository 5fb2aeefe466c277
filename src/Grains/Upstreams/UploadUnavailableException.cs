namespace ImageOrleans.Grains.Upstreams;

/// <summary>An edit's input files are not in this silo's upload store (the request ended, or it was stored on another silo).</summary>
public sealed class UploadUnavailableException() : Exception("the edit's input files are not available on this silo");
