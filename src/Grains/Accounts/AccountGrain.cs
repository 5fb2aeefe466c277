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
/// <remarks>
/// It orchestrates and persists; it decides nothing itself. It owns the leases in flight (grant,
/// refund, reclaim at expiry), books outcomes into its health, breaker, exclusions and spend, wakes
/// the silos waiting for it, and writes its state behind. The decisions are plain classes:
/// <see cref="Eligibility"/> (may this request go now), <see cref="AdaptivePacing"/> (buckets,
/// advertised and learned limits, recovery ramp), <see cref="SiloTurns{TSilo}"/> (which silo gets
/// freed capacity), <see cref="CircuitBreaker"/> and <see cref="HealthStats"/>; a shared limit is
/// the <see cref="ILimitScopeGrain"/>'s.
/// </remarks>
[KeepAlive]
public sealed partial class AccountGrain(
    [PersistentState("account", GrainStorageNames.Accounts)] IPersistentState<AccountState> state,
    IOptions<AccountPolicyOptions> policyOptions,
    TimeProvider time,
    StorageDurability durability,
    SharedLimitWatch sharedLimits,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain
{
    private readonly AccountPolicyOptions _policy = policyOptions.Value;
    private readonly Dictionary<Guid, Lease> _leases = [];
    private readonly HashSet<ICapacityObserver> _waiters = [];
    private readonly SiloTurns<ICapacityObserver> _turns = new(policyOptions.Value.SiloReservation);
    private readonly AdaptivePacing _pacing = new(policyOptions.Value);
    private UpstreamAccount? _account;
    private CircuitBreaker _breaker = null!;
    private HealthStats _health = null!;
    private WriteBehind _writes = null!;

    private string AccountId => this.GetPrimaryKeyString();

    private AccountState S => state.State;

    private ILimitScopeGrain? Scope => _account?.LimitScope is { } scope ? GrainFactory.GetGrain<ILimitScopeGrain>(scope) : null;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _account = await GrainFactory.GetGrain<IPoolGrain>(0).GetAccountAsync(AccountId);
        var now = time.GetUtcNow();
        _breaker = new CircuitBreaker(_policy.BreakerFailureThreshold, _policy.BreakerOpenDuration, _policy.BreakerMaxOpenDuration, _policy.BreakerFailureRate, _policy.BreakerWindow);
        _health = new HealthStats(_policy.LatencyEwmaAlpha, _policy.SuccessWindow);
        _writes = new WriteBehind(time, _policy.PersistInterval, TimeSpan.FromMinutes(1));

        double? requestTokens = null;
        double? imageTokens = null;
        var tokensAt = now;
        if (state.RecordExists)
        {
            _health.Restore(S.EwmaLatencyMs, S.Successes, S.Failures);
            _breaker.Restore(S.Breaker, S.BreakerOpenUntil, S.ConsecutiveFailures);
            _pacing.Restore(S.LearnedRateFactor, S.LearnedCeiling, S.LastRateLimitedAt);
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

        _pacing.Start(_account, tokensAt, requestTokens, imageTokens);

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
        S.RequestTokens = _pacing.Requests(now).Tokens;
        S.ImageTokens = _pacing.Images(now).Tokens;
        S.TokensAt = now;
        S.CleanShutdown = true;
        await state.WriteStateAsync(cancellationToken);
    }

    public async ValueTask<LeaseDecision> TryLeaseAsync(LeaseRequest request)
    {
        var now = time.GetUtcNow();
        ReclaimExpiredLeases(now);
        if (_pacing.Recover(now) | _pacing.Ramp(now))
        {
            _writes.MarkDirty();
        }

        _pacing.HoldReserve(request.Priority == Dispatch.RequestPriority.Low, now);
        var verdict = Eligibility.Evaluate(EligibilityOf(now), request.Model, request.Images, now, Eligibility.HeadroomFor(request.Priority));
        if (!verdict.IsEligible)
        {
            return Deny(verdict.Reason, verdict.RetryAt, request.Observer, now);
        }

        if (_turns.HeldFor(request.Observer, now, out var call) is { } heldUntil)
        {
            call?.CapacityFreed(AccountId).Ignore();
            return Deny(DenyReason.ReservedForAnotherSilo, heldUntil, request.Observer, now);
        }

        // Keys of one project share its limit: the shared buckets must have room too. Nothing else
        // runs on this grain meanwhile (it is not reentrant), so the verdict still holds after.
        if (Scope is { } scope && await scope.TryTakeAsync(new ScopeTake
            {
                RequestsPerMinute = _account!.RequestsPerMinute, ImagesPerMinute = _account.ImagesPerMinute, Images = request.Images,
                Headroom = Eligibility.HeadroomFor(request.Priority),
            }) is { } sharedAt)
        {
            return sharedAt == DateTimeOffset.MaxValue
                ? Deny(DenyReason.TooLarge, null, null, now)
                : Deny(DenyReason.RateLimited, sharedAt, request.Observer, now);
        }

        // The verdict allowed a probe of a half-open breaker: this lease is it.
        _breaker.Allows(now, out var breakerProbe);
        if (verdict.ExclusionProbe is { } excluded)
        {
            // Let exactly one request through to see whether the cause went away.
            S.Exclusions[excluded] = S.Exclusions[excluded] with { RecheckAt = now + _policy.ExclusionRecheck };
        }

        _pacing.Take(request.Images, now);
        var lease = new Lease
        {
            Id = Guid.NewGuid(),
            AccountId = AccountId,
            Images = request.Images,
            ExpiresAt = now + _account!.Timeout + _policy.LeaseGrace,
            IsProbe = breakerProbe,
            GrantedAt = now,
            PaceVersion = _pacing.Version,
        };
        _leases.Add(lease.Id, lease);
        _turns.Took(request.Observer);
        S.LeasesGranted++;
        _writes.MarkDirty();
        return new LeaseDecision { Lease = lease, Load = BuildLoad(now) };
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
                var recovering = _breaker.State != BreakerState.Closed;
                _breaker.OnSuccess(wasProbe);
                if (recovering && _breaker.State == BreakerState.Closed)
                {
                    _pacing.StartRamp(now);
                    LogRecovering(logger, AccountId, _policy.RecoveryRamp.TotalSeconds);
                }

                ClearExclusion(report.Model);
                _pacing.OnSuccess(report.RateLimits, now);
                if (lease is not null)
                {
                    sharedLimits.Observe(AccountId, _account?.LimitScope, lease.GrantedAt, report.RateLimits);
                }

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
                    LogBreakerOpened(logger, AccountId, _breaker.RecentFailures, _breaker.RecentOutcomes, _breaker.OpenUntil);
                }

                break;
            default:
                // Client errors and cancellations say nothing about the account.
                _breaker.OnProbeAbandoned(wasProbe);
                break;
        }

        if (hadLease && !report.Sent)
        {
            _pacing.Refund(lease!.Images, now);
            Scope?.RefundAsync(lease.Images).AsTask().Ignore();
        }

        if (hadLease)
        {
            NotifyWaiters();
        }

        _writes.MarkDirty();
        return ValueTask.FromResult(BuildLoad(now));
    }

    public async ValueTask<AccountLoad> ReportOutcomesAsync(IReadOnlyList<OutcomeReport> reports)
    {
        AccountLoad? load = null;
        foreach (var report in reports)
        {
            load = await ReportOutcomeAsync(report);
        }

        return load ?? BuildLoad(time.GetUtcNow());
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
            LearnedRateFactor = _pacing.LearnedRateFactor,
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

        _pacing.Configure(account, time.GetUtcNow());
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
        _breaker.Reset();
        _pacing.Reset(time.GetUtcNow());
        NotifyWaiters();
        _writes.MarkDirty();
        return ValueTask.CompletedTask;
    }

    private LeaseDecision Deny(DenyReason reason, DateTimeOffset? retryAt, ICapacityObserver? observer, DateTimeOffset now)
    {
        if (observer is not null && reason.IsTemporary())
        {
            _waiters.Add(observer);
            _turns.TurnedAway(observer);
        }

        return new LeaseDecision { Reason = reason, RetryAt = retryAt, Load = BuildLoad(now) };
    }

    private void OnRateLimited(OutcomeReport report, Lease? lease, DateTimeOffset now)
    {
        S.RateLimited++;
        var window = _pacing.ShortWindowSeconds;
        var cooldown = _pacing.OnRateLimited(report.RetryAfter, report.RateLimits, lease?.PaceVersion, now);
        if (_pacing.ShortWindowSeconds is { } learned && learned != window)
        {
            LogShortWindow(logger, AccountId, learned);
        }

        Scope?.OnRateLimitedAsync(report.RateLimits).AsTask().Ignore();
        S.CooldownUntil = now + cooldown;
        LogRateLimited(logger, AccountId, cooldown.TotalSeconds, _pacing.LearnedRateFactor);
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
        // A wrong or revoked key does not heal by itself: out until the key changes (or an operator resets health).
        var recheckAt = reason == "unauthorized" ? DateTimeOffset.MaxValue : now + _policy.ExclusionRecheck;
        S.Exclusions[model] = new ModelExclusion { Reason = reason, Detail = detail, Since = now, RecheckAt = recheckAt };
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

    private AccountLoad BuildLoad(DateTimeOffset now)
    {
        var eligibility = EligibilityOf(now);
        var (blocked, until, _, _) = Eligibility.Evaluate(eligibility, model: null, images: 1, now);
        return new AccountLoad
        {
            AccountId = AccountId,
            AsOf = now,
            RequestTokens = eligibility.Requests.Tokens,
            RequestCapacity = eligibility.Requests.Capacity,
            ImageTokens = eligibility.Images.Tokens,
            ImageCapacity = eligibility.Images.Capacity,
            RequestRatePerSecond = eligibility.Requests.RatePerSecond,
            ImageRatePerSecond = eligibility.Images.RatePerSecond,
            InFlight = _leases.Count,
            MaxConcurrency = _account?.MaxConcurrency ?? 0,
            Weight = _account?.Weight ?? 1.0,
            Blocked = blocked,
            BlockedUntil = until,
            ExcludedModels = S.Exclusions.Count == 0 ? [] : [.. S.Exclusions.Keys],
            Facts = eligibility.Facts,
            EwmaLatencyMs = _health.EwmaLatencyMs,
            SuccessRate = _health.SuccessRate,
            Outcomes = _health.Count,
        };
    }

    private EligibilityInput EligibilityOf(DateTimeOffset now) => new()
    {
        Account = _account,
        Facts = FactsOf(now),
        InFlight = _leases.Count,
        Requests = _pacing.Requests(now),
        Images = _pacing.Images(now),
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
        S.LearnedRateFactor = _pacing.LearnedRateFactor;
        S.LearnedCeiling = _pacing.LearnedCeiling;
        S.LastRateLimitedAt = _pacing.LastRateLimitedAt;
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

    [LoggerMessage(EventId = 1001, Level = LogLevel.Warning,
        Message = "Account {AccountId} answered 401 with key {MaskedKey}: taken out of rotation until its key is replaced")]
    private static partial void LogUnauthorized(ILogger logger, string accountId, string maskedKey);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning,
        Message = "Account {AccountId} circuit opened: {Failures} of its last {Outcomes} calls failed; closed to traffic until {OpenUntil}")]
    private static partial void LogBreakerOpened(ILogger logger, string accountId, int failures, int outcomes, DateTimeOffset? openUntil);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information,
        Message = "Account {AccountId} was rate limited upstream: cooling down {Seconds:0.0} s, pacing at {Factor:P0} of its configured rate")]
    private static partial void LogRateLimited(ILogger logger, string accountId, double seconds, double factor);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Warning,
        Message = "Account {AccountId} taken out of rotation for model {Model}: {Reason}")]
    private static partial void LogExcluded(ILogger logger, string accountId, string model, string reason);

    [LoggerMessage(EventId = 1006, Level = LogLevel.Warning,
        Message = "Account {AccountId}: writing its state failed ({Failures} in a row); kept in memory and tried again in {BackoffSeconds} s")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string accountId, int failures, double backoffSeconds);

    [LoggerMessage(EventId = 1007, Level = LogLevel.Information,
        Message = "Account {AccountId} answered its breaker probe: ramping back up to full pace over {Seconds:0} s")]
    private static partial void LogRecovering(ILogger logger, string accountId, double seconds);

    [LoggerMessage(EventId = 1008, Level = LogLevel.Information,
        Message = "Account {AccountId}: the upstream counts its limit over {Seconds} s windows; calls are now spread evenly over each window")]
    private static partial void LogShortWindow(ILogger logger, string accountId, int seconds);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Information,
        Message = "Account {AccountId} restarted after an unclean stop: its buckets start empty")]
    private static partial void LogStartingEmpty(ILogger logger, string accountId);
}
