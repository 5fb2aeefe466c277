namespace ImageOrleans.Silo.Hosting;

/// <summary>The operators' API under <c>/admin</c> (section <c>ImageOrleans:Admin</c>).</summary>
public sealed class AdminOptions
{
    /// <summary>The admin key. Hashed on load; prefer <see cref="KeyHash"/> in files. Without either, /admin is closed.</summary>
    public string? Key { get; set; }

    /// <summary>SHA-256 of the admin key as 64 hex characters.</summary>
    public string? KeyHash { get; set; }
}
