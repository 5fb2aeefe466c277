namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// One shared limit (an OpenAI organisation or project) that several accounts draw from: one set
/// of token buckets for every account that declares the same <c>LimitScope</c>. Account grains ask
/// it for the tokens of each lease they grant; it never calls anyone itself.
/// </summary>
public interface ILimitScopeGrain : IGrainWithStringKey
{
    /// <summary>Takes the tokens of one call; when they are not there, returns when they will be (MaxValue: never).</summary>
    [ResponseTimeout("00:00:05")]
    ValueTask<DateTimeOffset?> TryTakeAsync(ScopeTake take);

    /// <summary>Gives back the tokens of a call that never reached the upstream.</summary>
    ValueTask RefundAsync(int images);

    /// <summary>A member got a 429: the shared limit is spent, whatever the scope believed.</summary>
    ValueTask OnRateLimitedAsync(RateLimitInfo info);
}
