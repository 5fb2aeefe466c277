namespace ImageOrleans.Grains.Maintenance;

/// <summary>The kinds of stored rows that expire and are deleted by the expiry sweep.</summary>
[GenerateSerializer]
public enum ExpiringKind
{
    PromptCache,
    Idempotency,
}
