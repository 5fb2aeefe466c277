namespace ImageOrleans.Grains.Models;

/// <summary>Which model a request runs on, and what the client is told about the name it asked for.</summary>
public sealed record ModelResolution
{
    /// <summary>The model as the client named it.</summary>
    public required string Requested { get; init; }

    /// <summary>The model that runs (the alias's pick, or the requested name itself).</summary>
    public required string Model { get; init; }

    /// <summary>The requested name was an alias and <see cref="Model"/> was chosen for it.</summary>
    public bool Aliased { get; init; }

    /// <summary>The requested name's provider shutdown date, when it has one (deprecation header).</summary>
    public DateOnly? ShutdownDate { get; init; }

    /// <summary>The successor the provider recommends for the requested name.</summary>
    public string? Successor { get; init; }

    /// <summary>The requested name is deprecated or retired: the answer carries a deprecation header.</summary>
    public bool Deprecated => Aliased || ShutdownDate is not null;
}
