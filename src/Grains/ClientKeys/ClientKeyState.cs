namespace ImageOrleans.Grains.ClientKeys;

/// <summary>A client key as stored: its settings, its hashes (never the key), and its spend so far.</summary>
[GenerateSerializer, Alias("io.ClientKeyState")]
public sealed class ClientKeyState
{
    [Id(0)] public ClientKeySettings? Settings { get; set; }

    /// <summary>SHA-256 of the current key, lowercase hex.</summary>
    [Id(1)] public string? Hash { get; set; }

    /// <summary>The masked form shown to operators, e.g. <c>sk-io-…a1b2</c>.</summary>
    [Id(2)] public string? Hint { get; set; }

    [Id(3)] public string? PreviousHash { get; set; }
    [Id(4)] public DateTimeOffset? PreviousValidUntil { get; set; }
    [Id(5)] public bool Revoked { get; set; }
    [Id(6)] public DateTimeOffset CreatedAt { get; set; }
    [Id(7)] public DateTimeOffset? RevokedAt { get; set; }

    /// <summary>Where the key's configuration seed came from, to tell a changed seed from an unchanged one.</summary>
    [Id(8)] public string? SeedFingerprint { get; set; }

    [Id(9)] public string DayKey { get; set; } = string.Empty;
    [Id(10)] public decimal DaySpentUsd { get; set; }
    [Id(11)] public string MonthKey { get; set; } = string.Empty;
    [Id(12)] public decimal MonthSpentUsd { get; set; }

    /// <summary>Alerts already raised, as "period:threshold" (e.g. "2026-11-28:80").</summary>
    [Id(13)] public HashSet<string> AlertsRaised { get; set; } = new(StringComparer.Ordinal);

    [Id(14)] public decimal SavedUsd { get; set; }

    /// <summary>Usage not yet in the ledger, keyed "day|model|quality".</summary>
    [Id(15)] public Dictionary<string, Usage.UsageCounters> PendingUsage { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The id under which <see cref="SentUsage"/> is being sent to the ledger, once a send began.</summary>
    [Id(16)] public Guid? PendingBatch { get; set; }

    /// <summary>The rows of <see cref="PendingBatch"/>, frozen: new usage never joins a batch already sent.</summary>
    [Id(17)] public Dictionary<string, Usage.UsageCounters> SentUsage { get; set; } = new(StringComparer.Ordinal);
}
