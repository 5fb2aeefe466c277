namespace ImageOrleans.Grains.Upstreams;

/// <summary>One Server-Sent Event of a streaming upstream answer, as the upstream sent it: its type and its JSON data, untouched.</summary>
public sealed record RelayedEvent(string Type, string Data)
{
    public const string ErrorType = "error";

    public bool IsCompleted => Type.EndsWith(".completed", StringComparison.Ordinal);
}
