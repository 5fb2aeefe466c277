using System.Collections.Concurrent;
using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Grains.Caching;

/// <summary>
/// The answers held by this silo's prompt cache activations, readable in process: a front door on this silo
/// finds a hit without a grain call. Each entry is written by the activation that owns it, in its own turn,
/// once the answer's images are stored and the prompt has been asked more than once (an activation that
/// generated for a single request ends soon after), and removed when that activation drops the answer or
/// ends, so the view never holds more than the live activations do. An answer cached on another silo is
/// not here; the grain call finds it.
/// </summary>
public sealed class CachedAnswers
{
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How many answers this silo's activations hold.</summary>
    public int Count => _entries.Count;

    /// <summary>The answer cached for <paramref name="key"/> and still served at <paramref name="now"/>, or null.</summary>
    public GenerationResult? Find(string key, DateTimeOffset now)
    {
        if (!_entries.TryGetValue(key, out var entry))
        {
            return null;
        }

        if (now < entry.ExpiresAt)
        {
            return entry.Result;
        }

        _entries.TryRemove(KeyValuePair.Create(key, entry));
        return null;
    }

    /// <summary>The answer <paramref name="owner"/> (the activation for <paramref name="key"/>) now serves.</summary>
    public void Set(string key, object owner, GenerationResult result, DateTimeOffset expiresAt) =>
        _entries[key] = new Entry(owner, result, expiresAt);

    /// <summary>
    /// Forgets <paramref name="key"/>'s answer if <paramref name="owner"/> wrote it: an activation that
    /// ends never removes the entry of a newer one for the same key.
    /// </summary>
    public void Remove(string key, object owner)
    {
        if (_entries.TryGetValue(key, out var entry) && ReferenceEquals(entry.Owner, owner))
        {
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        }
    }

    /// <summary>
    /// Forgets <paramref name="key"/>'s answer if it is <paramref name="result"/>, whoever wrote it: a front door
    /// that found its images gone never finds that answer here again.
    /// </summary>
    public void Drop(string key, GenerationResult result)
    {
        if (_entries.TryGetValue(key, out var entry) && ReferenceEquals(entry.Result, result))
        {
            _entries.TryRemove(KeyValuePair.Create(key, entry));
        }
    }

    private sealed record Entry(object Owner, GenerationResult Result, DateTimeOffset ExpiresAt);
}
