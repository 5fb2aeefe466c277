namespace ImageOrleans.Grains.ClientKeys;

/// <summary>How a key's requests use the prompt cache.</summary>
[GenerateSerializer]
public enum CachePolicy
{
    /// <summary>Cached answers are shared by the keys of one tenant, never across tenants.</summary>
    On,

    /// <summary>Every request is generated afresh.</summary>
    Off,

    /// <summary>Opt-in: shares cached answers with every other key that opted in, across tenants.</summary>
    Shared,
}
