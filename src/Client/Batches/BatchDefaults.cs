namespace ImageOrleans.Client.Batches;

/// <summary>Request fields for every line that does not set its own.</summary>
public sealed record BatchDefaults(string? Model = null, string? Size = null, string? Quality = null);
