using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Accounts;

/// <inheritdoc cref="ILimitScopeGrain"/>
/// <remarks>
/// Paced by the same <see cref="AdaptivePacing"/> as an account, at the lowest limit any member
/// declares. Kept in memory only: after a restart the member accounts' own buckets start empty,
/// which keeps the first minute safe.
/// </remarks>
public sealed class LimitScopeGrain(IOptions<AccountPolicyOptions> policy, TimeProvider time) : Grain, ILimitScopeGrain
{
    private readonly AdaptivePacing _pacing = new(policy.Value);
    private (int Requests, int Images)? _limits;

    public ValueTask<DateTimeOffset?> TryTakeAsync(ScopeTake take)
    {
        var now = time.GetUtcNow();
        Shape(take, now);
        _pacing.HoldReserve(take.Headroom > 0, now);
        var wait = Eligibility.BucketWait(_pacing.Requests(now), _pacing.Images(now), take.Images, take.Headroom);
        if (wait == TimeSpan.MaxValue)
        {
            return ValueTask.FromResult<DateTimeOffset?>(DateTimeOffset.MaxValue);
        }

        if (wait > TimeSpan.Zero)
        {
            return ValueTask.FromResult<DateTimeOffset?>(now + wait);
        }

        _pacing.Take(take.Images, now);
        return ValueTask.FromResult<DateTimeOffset?>(null);
    }

    public ValueTask RefundAsync(int images)
    {
        if (_limits is not null)
        {
            _pacing.Refund(images, time.GetUtcNow());
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask OnRateLimitedAsync(RateLimitInfo info)
    {
        if (_limits is not null)
        {
            // The members' own pacing learns the lower rate; the scope only empties to what is left.
            _pacing.OnRateLimited(null, info, grantedAtVersion: -1, time.GetUtcNow());
        }

        return ValueTask.CompletedTask;
    }

    private void Shape(ScopeTake take, DateTimeOffset now)
    {
        // The lowest limit any member declares is the scope's: members of one project may be configured unevenly.
        var limits = _limits is { } known
            ? (Math.Min(known.Requests, take.RequestsPerMinute), Math.Min(known.Images, take.ImagesPerMinute))
            : (take.RequestsPerMinute, take.ImagesPerMinute);
        if (limits == _limits)
        {
            return;
        }

        var definition = new UpstreamAccount { Id = this.GetPrimaryKeyString(), RequestsPerMinute = limits.Item1, ImagesPerMinute = limits.Item2 };
        if (_limits is null)
        {
            _pacing.Start(definition, now, null, null);
        }
        else
        {
            _pacing.Configure(definition, now);
        }

        _limits = limits;
    }
}
