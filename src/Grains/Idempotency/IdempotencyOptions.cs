namespace ImageOrleans.Grains.Idempotency;

/// <summary>Idempotent retries (section <c>ImageOrleans:Idempotency</c>).</summary>
public sealed class IdempotencyOptions
{
    /// <summary>How long a completed request's answer is replayed for a retry with the same key.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);
}
