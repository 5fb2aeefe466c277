using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Persistence;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// The single, cluster-wide owner of one upstream account's limits. Every turn is short: grant or
/// refuse a lease, or take an outcome report. The upstream call happens in the dispatcher.
/// </summary>
[KeepAlive]
public sealed partial class AccountGrain(
    [PersistentState("account", GrainStorageNames.Accounts)] IPersistentState<AccountState> state,
    IOptions<AccountPolicyOptions> policyOptions,
    TimeProvider time,
    StorageDurability durability,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain
{
    // The largest n any model accepts: an account's image bucket must hold at least that much.
    private const int MaxImagesPerRequest = 10;

    private readonly AccountPolicyOptions _policy = policyOptions.Value;
    private readonly Dictionary<Guid, Lease> _leases = [];
    private readonly HashSet<ICapacityObserver> _waiters = [];

    // Silos whose requests this account turned away, oldest first: freed capacity goes to them in
    // turn, so a silo far from this grain is not outrun for every token by the silo it lives on.
    private readonly LinkedList<ICapacityObserver> _silosWaiting = new();
    private DateTimeOffset? _reservedSince;
    private UpstreamAccount? _account;
    private TokenBucket _requests = null!;
    private TokenBucket _images = null!;
    private CircuitBreaker _breaker = null!;
    private HealthStats _health = null!;
    private int? _advertisedRequestLimit;
    private int? _advertisedImageLimit;
    private DateTimeOffset _lastRecoveryAt = DateTimeOffset.MinValue;

    // Bumped whenever the pace changes: a 429 for a lease granted under an older pace says nothing
    // about the current one.
    private long _paceVersion;
    private WriteBehind _writes = null!;

    private string AccountId => this.GetPrimaryKeyString();

    private AccountState S => state.State;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _account = await GrainFactory.GetGrain<IPoolGrain>(0).GetAccountAsync(AccountId);
        var now = time.GetUtcNow();
        _breaker = new CircuitBreaker(_policy.BreakerFailureThreshold, _policy.BreakerOpenDuration, _policy.BreakerMaxOpenDuration);
        _health = new HealthStats(_policy.LatencyEwmaAlpha, _policy.SuccessWindow);
        _writes = new WriteBehind(time, _policy.PersistInterval, TimeSpan.FromMinutes(1));

        double? requestTokens = null;
        double? imageTokens = null;
        var tokensAt = now;
        if (state.RecordExists)
        {
            _health.Restore(S.EwmaLatencyMs, S.Successes, S.Failures);
            _breaker.Restore(S.Breaker, S.BreakerOpenUntil, S.ConsecutiveFailures);
            if (S.CleanShutdown)
            {
                (requestTokens, imageTokens, tokensAt) = (S.RequestTokens, S.ImageTokens, S.TokensAt);
            }
            else
            {
                // The previous activation died without saving: the upstream may have counted calls
                // we never recorded, so assume the buckets are empty rather than full.
                (requestTokens, imageTokens) = (0, 0);
                LogStartingEmpty(logger, AccountId);
            }
        }

        BuildBuckets(tokensAt, requestTokens, imageTokens);

        // From here on a crash must be recognisable as one.
        S.CleanShutdown = false;
        await state.WriteStateAsync(cancellationToken);

        this.RegisterGrainTimer(PersistIfDirtyAsync, new GrainTimerCreationOptions
        {
            DueTime = _policy.PersistInterval,
            Period = _policy.PersistInterval,
            Interleave = false,
        });
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!durability.SaveOn(reason))
        {
            return;
        }

        var now = time.GetUtcNow();
        CaptureState(now);
        S.RequestTokens = _requests.Available(now);
        S.ImageTokens = _images.Available(now);
        S.TokensAt = now;
        S.CleanShutdown = true;
        await state.WriteStateAsync(cancellationToken);
    }

    public ValueTask<LeaseDecision> TryLeaseAsync(LeaseRequest request)
    {
        var now = time.GetUtcNow();
        ReclaimExpiredLeases(now);
        RecoverLearnedRate(now);

        var verdict = Eligibility.Evaluate(EligibilityOf(now), request.Model, request.Images, now);
        if (!verdict.IsEligible)
        {
            return ValueTask.FromResult(Deny(verdict.Reason, verdict.RetryAt, request.Observer, now));
        }

        if (HeldForAnotherSilo(request.Observer, now) is { } heldUntil)
        {
            return ValueTask.FromResult(Deny(DenyReason.ReservedForAnotherSilo, heldUntil, request.Observer, now));
        }

        // The verdict allowed a probe of a half-open breaker: this lease is it.
        _breaker.Allows(now, out var breakerProbe);
        if (verdict.ExclusionProbe is { } excluded)
        {
            // Let exactly one request through to see whether the cause went away.
            S.Exclusions[excluded] = S.Exclusions[excluded] with { RecheckAt = now + _policy.ExclusionRecheck };
        }

        _requests.TryTake(1, now);
        _images.TryTake(request.Images, now);
        var lease = new Lease
        {
            Id = Guid.NewGuid(),
            AccountId = AccountId,
            Images = request.Images,
            ExpiresAt = now + _account!.Timeout + _policy.LeaseGrace,
            IsProbe = breakerProbe,
            GrantedAt = now,
            PaceVersion = _paceVersion,
        };
        _leases.Add(lease.Id, lease);
        TookTurn(request.Observer);
        S.LeasesGranted++;
        _writes.MarkDirty();
        return ValueTask.FromResult(new LeaseDecision { Lease = lease, Load = BuildLoad(now) });
    }

    public ValueTask<AccountLoad> ReportOutcomeAsync(OutcomeReport report)
    {
        var now = time.GetUtcNow();
        var hadLease = _leases.Remove(report.LeaseId, out var lease);
        var wasProbe = lease?.IsProbe ?? false;

        switch (report.Kind)
        {
            case OutcomeKind.Success:
                AddSpend(report.CostUsd, now);
                _health.Record(true, report.Latency);
                _breaker.OnSuccess(wasProbe);
                ClearExclusion(report.Model);
                ApplyRateLimitHeaders(report.RateLimits, now);
                break;
            case OutcomeKind.RateLimited:
                _breaker.OnProbeAbandoned(wasProbe);
                OnRateLimited(report, lease, now);
                break;
            case OutcomeKind.QuotaExhausted:
                _breaker.OnProbeAbandoned(wasProbe);
                Exclude(report.Model, "insufficient_quota", report.Detail, now);
                break;
            case OutcomeKind.Forbidden:
                _breaker.OnProbeAbandoned(wasProbe);
                Exclude(report.Model, "forbidden", report.Detail, now);
                break;
            case OutcomeKind.Unauthorized:
                _breaker.OnProbeAbandoned(wasProbe);
                Exclude(ModelExclusion.AllModels, "unauthorized", report.Detail, now);
                LogUnauthorized(logger, AccountId, _account?.ApiKey.Masked ?? "(none)");
                break;
            case var kind when kind.IsTransientFailure():
                _health.Record(false, report.Latency);
                var wasOpen = _breaker.State == BreakerState.Open;
                _breaker.OnFailure(wasProbe, now);
                if (!wasOpen && _breaker.State == BreakerState.Open)
                {
                    LogBreakerOpened(logger, AccountId, _breaker.ConsecutiveFailures, _breaker.OpenUntil);
                }

                break;
            default:
                // Client errors and cancellations say nothing about the account.
                _breaker.OnProbeAbandoned(wasProbe);
                break;
        }

        if (hadLease && !report.Sent)
        {
            _requests.Refund(1, now);
            _images.Refund(lease!.Images, now);
        }

        if (hadLease)
        {
            NotifyWaiters();
        }

        _writes.MarkDirty();
        return ValueTask.FromResult(BuildLoad(now));
    }

    public ValueTask<AccountStatus> GetStatusAsync()
    {
        var now = time.GetUtcNow();
        ReclaimExpiredLeases(now);
        return ValueTask.FromResult(new AccountStatus
        {
            Id = AccountId,
            Load = BuildLoad(now),
            Enabled = _account?.Enabled ?? false,
            Draining = S.Draining,
            Breaker = _breaker.State,
            BreakerOpenUntil = _breaker.OpenUntil,
            CooldownUntil = S.CooldownUntil > now ? S.CooldownUntil : null,
            Exclusions = new Dictionary<string, ModelExclusion>(S.Exclusions),
            EwmaLatencyMs = _health.EwmaLatencyMs,
            SuccessRate = _health.SuccessRate,
            ConsecutiveFailures = _breaker.ConsecutiveFailures,
            Successes = _health.TotalSuccesses,
            Failures = _health.TotalFailures,
            RateLimited = S.RateLimited,
            LeasesGranted = S.LeasesGranted,
            LearnedRateFactor = S.LearnedRateFactor,
            SpendTodayUsd = S.SpendDay == Day(now) ? S.SpendTodayUsd : 0m,
        });
    }

    public ValueTask ConfigureAsync(UpstreamAccount? account)
    {
        var keyChanged = account is not null && _account is not null && !account.ApiKey.Equals(_account.ApiKey);
        _account = account;
        if (keyChanged)
        {
            ClearExclusion(ModelExclusion.AllModels);
        }

        BuildBuckets(time.GetUtcNow(), null, null, keepLevels: true);
        NotifyWaiters();
        _writes.MarkDirty();
        return ValueTask.CompletedTask;
    }

    public ValueTask SetDrainingAsync(bool draining)
    {
        S.Draining = draining;
        _writes.MarkDirty();
        if (!draining)
        {
            NotifyWaiters();
        }

        return ValueTask.CompletedTask;
    }

    public ValueTask ResetHealthAsync()
    {
        S.Exclusions.Clear();
        S.CooldownUntil = null;
        _breaker.Restore(BreakerState.Closed, null, 0);
        S.LearnedRateFactor = 1.0;
        S.LearnedCeiling = 1.0;
        BuildBuckets(time.GetUtcNow(), null, null, keepLevels: true);
        NotifyWaiters();
        _writes.MarkDirty();
        return ValueTask.CompletedTask;
    }

    private LeaseDecision Deny(DenyReason reason, DateTimeOffset? retryAt, ICapacityObserver? observer, DateTimeOffset now)
    {
        if (observer is not null && reason.IsTemporary())
        {
            _waiters.Add(observer);
            if (!_silosWaiting.Contains(observer))
            {
                _silosWaiting.AddLast(observer);
            }
        }

        return new LeaseDecision { Reason = reason, RetryAt = retryAt, Load = BuildLoad(now) };
    }

    /// <summary>
    /// When other silos wait and the oldest of them is not the one asking, the capacity is held for
    /// the oldest for a short window (and it is told to come); after that it goes to whoever asks.
    /// Returns until when the capacity is held, or null when the asker may take it.
    /// </summary>
    private DateTimeOffset? HeldForAnotherSilo(ICapacityObserver? asking, DateTimeOffset now)
    {
        while (_silosWaiting.First is { } oldest && !oldest.Value.Equals(asking))
        {
            if (_reservedSince is null)
            {
                _reservedSince = now;
                oldest.Value.CapacityFreed(AccountId).Ignore();
            }

            var until = _reservedSince.Value + _policy.SiloReservation;
            if (now < until)
            {
                return until;
            }

            // The oldest did not come (its waiters left, or it is gone): next in line.
            _silosWaiting.RemoveFirst();
            _reservedSince = null;
        }

        return null;
    }

    private void TookTurn(ICapacityObserver? observer)
    {
        if (observer is not null && _silosWaiting.First?.Value.Equals(observer) == true)
        {
            _silosWaiting.RemoveFirst();
        }

        _reservedSince = null;
    }

    private void OnRateLimited(OutcomeReport report, Lease? lease, DateTimeOffset now)
    {
        S.RateLimited++;
        var info = report.RateLimits;

        // Cool down for as long as the upstream says. Without Retry-After, the reset headers give the
        // time until the exhausted limit is *full* again; with a continuously refilling limit one
        // token comes back much sooner, so the cool-down is the sooner of the two and the buckets
        // (emptied below) pace what follows.
        var wait = report.RetryAfter ?? TimeSpan.Zero;
        if (report.RetryAfter is null)
        {
            if (info.RemainingRequests is 0 && info.ResetRequests is { } resetRequests)
            {
                wait = Max(wait, Min(resetRequests, OneToken(info.LimitRequests)));
            }

            if (info.RemainingImages is 0 && info.ResetImages is { } resetImages)
            {
                wait = Max(wait, Min(resetImages, OneToken(info.LimitImages)));
            }
        }

        if (wait <= TimeSpan.Zero)
        {
            wait = _policy.DefaultRateLimitCooldown;
        }

        wait = wait > _policy.MaxRateLimitCooldown ? _policy.MaxRateLimitCooldown : wait;
        S.CooldownUntil = now + wait;

        // The upstream's own figure for its limit explains the 429 when it is lower than ours. Else a
        // 429 for a call made at the current pace means the real limit is lower than we believe:
        // slow down and remember the pace that failed, so recovery stops short of it. 429s for calls
        // granted before the pace last changed are old news and teach nothing.
        var grantedAtCurrentPace = lease is null || lease.PaceVersion == _paceVersion;
        var (requestRate, imageRate) = (_requests.RatePerSecond, _images.RatePerSecond);
        ApplyAdvertisedLimits(info);
        BuildBuckets(now, null, null, keepLevels: true);
        var explained = _requests.RatePerSecond < requestRate || _images.RatePerSecond < imageRate;
        if (!explained && grantedAtCurrentPace)
        {
            S.LearnedCeiling = S.LearnedRateFactor;
            S.LearnedRateFactor = Math.Max(_policy.MinLearnedRateFactor, S.LearnedRateFactor * 0.85);
            S.LastRateLimitedAt = now;
            _lastRecoveryAt = now;
        }

        BuildBuckets(now, null, null, keepLevels: true);
        _requests.LimitTo(info.RemainingRequests ?? 0, now);
        _images.LimitTo(info.RemainingImages ?? 0, now);
        LogRateLimited(logger, AccountId, wait.TotalSeconds, S.LearnedRateFactor);
    }

    private void ApplyRateLimitHeaders(RateLimitInfo info, DateTimeOffset now)
    {
        // An upstream that advertises a lower limit than configured is believed at once, and what it
        // says is left is taken as our level too: it has been spending at the higher pace until now.
        // Otherwise its "remaining" figure is not used: it was true when the call arrived, not now,
        // and lowering our level to it on every success would throw away refill we are owed.
        if (!ApplyAdvertisedLimits(info))
        {
            return;
        }

        BuildBuckets(now, null, null, keepLevels: true);
        if (info.RemainingRequests is { } requests)
        {
            _requests.LimitTo(requests, now);
        }

        if (info.RemainingImages is { } images)
        {
            _images.LimitTo(images, now);
        }
    }

    private bool ApplyAdvertisedLimits(RateLimitInfo info)
    {
        var changed = false;
        if (info.LimitRequests is > 0 && info.LimitRequests != _advertisedRequestLimit)
        {
            _advertisedRequestLimit = info.LimitRequests;
            changed = true;
        }

        if (info.LimitImages is > 0 && info.LimitImages != _advertisedImageLimit)
        {
            _advertisedImageLimit = info.LimitImages;
            changed = true;
        }

        return changed;
    }

    private void RecoverLearnedRate(DateTimeOffset now)
    {
        if (S.LearnedRateFactor >= 1.0 || now - _lastRecoveryAt < TimeSpan.FromMinutes(1))
        {
            return;
        }

        // Creep back up one step per quiet minute: to just under the pace that drew the last 429,
        // and past it only once that 429 is old enough to be worth testing again.
        var ceiling = now - S.LastRateLimitedAt >= _policy.RateProbeAfter ? 1.0 : S.LearnedCeiling * 0.95;
        var steps = Math.Floor((now - Max(_lastRecoveryAt, S.LastRateLimitedAt)).TotalMinutes);
        var recovered = Math.Min(ceiling, S.LearnedRateFactor + (_policy.RateRecoveryPerMinute * steps));
        _lastRecoveryAt = now;
        if (recovered > S.LearnedRateFactor)
        {
            S.LearnedRateFactor = recovered;
            BuildBuckets(now, null, null, keepLevels: true);
            _writes.MarkDirty();
        }
    }

    private void AddSpend(decimal cost, DateTimeOffset now)
    {
        var day = Day(now);
        if (S.SpendDay != day)
        {
            S.SpendDay = day;
            S.SpendTodayUsd = 0m;
        }

        S.SpendTodayUsd += cost;
    }

    private static string Day(DateTimeOffset now) => now.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

    private void Exclude(string model, string reason, string? detail, DateTimeOffset now)
    {
        var recheck = reason == "unauthorized" ? _policy.ExclusionRecheck * 4 : _policy.ExclusionRecheck;
        S.Exclusions[model] = new ModelExclusion { Reason = reason, Detail = detail, Since = now, RecheckAt = now + recheck };
        LogExcluded(logger, AccountId, model, reason);
    }

    private void ClearExclusion(string model)
    {
        if (S.Exclusions.Remove(model) | S.Exclusions.Remove(ModelExclusion.AllModels))
        {
            _writes.MarkDirty();
        }
    }

    private void ReclaimExpiredLeases(DateTimeOffset now)
    {
        List<Guid>? expired = null;
        foreach (var (id, lease) in _leases)
        {
            if (lease.ExpiresAt <= now)
            {
                (expired ??= []).Add(id);
            }
        }

        if (expired is null)
        {
            return;
        }

        foreach (var id in expired)
        {
            _breaker.OnProbeAbandoned(_leases[id].IsProbe);
            _leases.Remove(id);
        }

        NotifyWaiters();
    }

    private void NotifyWaiters()
    {
        if (_waiters.Count == 0)
        {
            return;
        }

        foreach (var waiter in _waiters)
        {
            waiter.CapacityFreed(AccountId).Ignore();
        }

        _waiters.Clear();
    }

    private void BuildBuckets(DateTimeOffset now, double? requestTokens, double? imageTokens, bool keepLevels = false)
    {
        var account = _account;
        var factor = S.LearnedRateFactor;
        var requestLimit = Math.Min(account?.RequestsPerMinute ?? 1, _advertisedRequestLimit ?? int.MaxValue) * factor;
        var imageLimit = Math.Min(account?.ImagesPerMinute ?? 1, _advertisedImageLimit ?? int.MaxValue) * factor;
        requestLimit = Math.Max(requestLimit, 1);
        imageLimit = Math.Max(imageLimit, 1);

        var requestCapacity = Math.Max(1, Math.Floor(requestLimit * _policy.BurstFraction));
        var imageCapacity = Math.Max(Math.Min(Math.Floor(imageLimit), MaxImagesPerRequest), Math.Floor(imageLimit * _policy.BurstFraction));
        imageCapacity = Math.Max(1, imageCapacity);
        var requestRate = requestLimit * (1 - _policy.RateMargin) / 60.0;
        var imageRate = imageLimit * (1 - _policy.RateMargin) / 60.0;

        if (keepLevels && _requests is not null && _images is not null)
        {
            if (requestRate != _requests.RatePerSecond || imageRate != _images.RatePerSecond)
            {
                _paceVersion++;
            }

            _requests.Reconfigure(requestCapacity, requestRate, now);
            _images.Reconfigure(imageCapacity, imageRate, now);
            return;
        }

        _paceVersion++;

        _requests = new TokenBucket(requestCapacity, requestRate, now, requestTokens);
        _images = new TokenBucket(imageCapacity, imageRate, now, imageTokens);
    }

    private AccountLoad BuildLoad(DateTimeOffset now)
    {
        var eligibility = EligibilityOf(now);
        var (blocked, until, _, _) = Eligibility.Evaluate(eligibility, model: null, images: 1, now);
        return new AccountLoad
        {
            AccountId = AccountId,
            AsOf = now,
            RequestTokens = _requests.Available(now),
            RequestCapacity = _requests.Capacity,
            ImageTokens = _images.Available(now),
            ImageCapacity = _images.Capacity,
            RequestRatePerSecond = _requests.RatePerSecond,
            ImageRatePerSecond = _images.RatePerSecond,
            InFlight = _leases.Count,
            MaxConcurrency = _account?.MaxConcurrency ?? 0,
            Weight = _account?.Weight ?? 1.0,
            Blocked = blocked,
            BlockedUntil = until,
            ExcludedModels = S.Exclusions.Count == 0 ? [] : [.. S.Exclusions.Keys],
            Facts = eligibility.Facts,
        };
    }

    private EligibilityInput EligibilityOf(DateTimeOffset now) => new()
    {
        Account = _account,
        Facts = FactsOf(now),
        InFlight = _leases.Count,
        Requests = BucketLevel.Of(_requests, now),
        Images = BucketLevel.Of(_images, now),
    };

    private EligibilityFacts FactsOf(DateTimeOffset now) => new()
    {
        Draining = S.Draining,
        Breaker = _breaker.State,
        BreakerOpenUntil = _breaker.OpenUntil,
        ProbeInFlight = _breaker.ProbeInFlight,
        CooldownUntil = S.CooldownUntil > now ? S.CooldownUntil : null,
        Exclusions = S.Exclusions.Count == 0
            ? EligibilityFacts.None.Exclusions
            : S.Exclusions.ToDictionary(e => e.Key, e => e.Value.RecheckAt, StringComparer.OrdinalIgnoreCase),
    };

    private void CaptureState(DateTimeOffset now)
    {
        S.EwmaLatencyMs = _health.EwmaLatencyMs;
        S.Successes = _health.TotalSuccesses;
        S.Failures = _health.TotalFailures;
        S.ConsecutiveFailures = _breaker.ConsecutiveFailures;
        S.Breaker = _breaker.State;
        S.BreakerOpenUntil = _breaker.OpenUntil;
        if (S.CooldownUntil <= now)
        {
            S.CooldownUntil = null;
        }
    }

    private Task PersistIfDirtyAsync(CancellationToken cancellationToken) =>
        _writes.FlushAsync(
            ct =>
            {
                CaptureState(time.GetUtcNow());
                return state.WriteStateAsync(ct);
            },
            (ex, failures, backoff) => LogWriteFailed(logger, ex, AccountId, failures, backoff.TotalSeconds),
            force: false,
            cancellationToken);

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Time for one token of a per-minute limit; a whole minute when the limit is unknown.</summary>
    private static TimeSpan OneToken(int? perMinute) => TimeSpan.FromSeconds(60.0 / Math.Max(1, perMinute ?? 1));

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "Account {AccountId} answered 401 with key {MaskedKey}: taken out of rotation until its key is replaced or the recheck passes")]
    private static partial void LogUnauthorized(ILogger logger, string accountId, string maskedKey);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Account {AccountId} circuit opened after {Failures} consecutive failures, until {OpenUntil}")]
    private static partial void LogBreakerOpened(ILogger logger, string accountId, int failures, DateTimeOffset? openUntil);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Account {AccountId} was rate limited upstream: cooling down {Seconds:0.0} s, pacing at {Factor:P0} of its configured rate")]
    private static partial void LogRateLimited(ILogger logger, string accountId, double seconds, double factor);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Account {AccountId} taken out of rotation for model {Model}: {Reason}")]
    private static partial void LogExcluded(ILogger logger, string accountId, string model, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning,
        Message = "Account {AccountId}: writing its state failed ({Failures} in a row); kept in memory and tried again in {BackoffSeconds} s")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string accountId, int failures, double backoffSeconds);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information,
        Message = "Account {AccountId} restarted after an unclean stop: its buckets start empty")]
    private static partial void LogStartingEmpty(ILogger logger, string accountId);
}
