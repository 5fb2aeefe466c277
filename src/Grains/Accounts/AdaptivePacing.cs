using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Accounts;

/// <summary>
/// How fast one account may be called: its two token buckets (requests, images), paced just under
/// the lower of the configured and the upstream's advertised limit, times a learned factor that
/// drops when 429s prove the real limit lower and climbs back while they stay away.
/// </summary>
/// <remarks>
/// Never more than the limit in any window of a minute, from the first minute on: the buckets hold a
/// small burst (burst + a minute's refill stays under the limit) and a <see cref="SendLog"/> of the
/// last minute caps what the buckets allow. A 429 whose headers show a short window momentarily full
/// (remaining 0, reset in seconds, our last minute within the limit) is a burst refusal: the account
/// spreads each window's share over the window instead of slowing down. Only other 429s lower the pace.
/// </remarks>
public sealed class AdaptivePacing(AccountPolicyOptions policy)
{
    // The largest n any model accepts: the image bucket must hold at least that much.
    private const int MaxImagesPerRequest = 10;

    // How late a call may take its token without losing the refill meanwhile (while no short window is known).
    private static readonly TimeSpan LagAllowance = TimeSpan.FromMilliseconds(100);

    // Recovery stops this far under the pace that drew the last 429.
    private const double RecoveryHeadroom = 0.05;

    // The least time and calls between two 429s that tell the upstream's real rate.
    private static readonly TimeSpan MeasureAtLeast = TimeSpan.FromSeconds(5);
    private const int MeasureCallsAtLeast = 5;

    // The smallest per-minute limit that keeps a live reserve (it costs a batch at most 5 % of it).
    private const double ReserveFromLimit = 20;

    // How long the live reserve stays after the last low call asked.
    private static readonly TimeSpan ReserveHold = TimeSpan.FromMinutes(1);

    private static readonly double[] RampSteps = [0.1, 0.25, 0.5, 1.0];

    private UpstreamAccount? _account;
    private TokenBucket? _requests;
    private TokenBucket? _images;
    private SendLog? _sentRequests;
    private SendLog? _sentImages;
    private (double Requests, double Images) _windowLimits;
    private int? _advertisedRequestLimit;
    private int? _advertisedImageLimit;
    private DateTimeOffset _lastRecoveryAt = DateTimeOffset.MinValue;
    private DateTimeOffset? _rampStartedAt;
    private bool _reserveHeld;
    private DateTimeOffset _reserveUntil;
    private long _loweredAtVersion;

    // Calls sent and 429s seen since the start, and both as they stood at the last 429 that lowered
    // the pace (in this activation: counts from before a restart are gone): between two such 429s the
    // upstream's limit was spent at both ends, so what it accepted in between is what it refills.
    private (long Requests, long Images, long Refused) _counted;
    private ((long Requests, long Images, long Refused) Counted, DateTimeOffset At)? _lastLowering;

    /// <summary>Share of the configured rate the account is paced at.</summary>
    public double LearnedRateFactor { get; private set; } = 1.0;

    /// <summary>The pace that last drew a 429: recovery stays just below it until it is old news.</summary>
    public double LearnedCeiling { get; private set; } = 1.0;

    public DateTimeOffset LastRateLimitedAt { get; private set; } = DateTimeOffset.MinValue;

    /// <summary>Share of the pace allowed while ramping up after a breaker closed; 1 when not ramping.</summary>
    public double RampFactor { get; private set; } = 1.0;

    /// <summary>The short window (seconds) 429s showed the upstream counting over; null while none did.</summary>
    public int? ShortWindowSeconds { get; private set; }

    /// <summary>
    /// Bumped whenever the pace changes: a 429 for a call granted before the pace was last lowered
    /// says nothing about this one (raising it, as recovery does every few seconds, keeps it news).
    /// </summary>
    public long Version { get; private set; }

    public void Restore(double learnedRateFactor, double learnedCeiling, DateTimeOffset lastRateLimitedAt)
    {
        LearnedRateFactor = learnedRateFactor;
        LearnedCeiling = learnedCeiling;
        LastRateLimitedAt = lastRateLimitedAt;
    }

    /// <summary>
    /// Keeps the live reserve while <c>low</c> calls ask for this account, and for
    /// <see cref="ReserveHold"/> after the last did; returns whether the buckets changed shape.
    /// </summary>
    public bool HoldReserve(bool lowAsking, DateTimeOffset now)
    {
        if (lowAsking)
        {
            _reserveUntil = now + ReserveHold;
        }

        var held = now < _reserveUntil;
        if (held == _reserveHeld)
        {
            return false;
        }

        _reserveHeld = held;
        if (_requests is not null)
        {
            Reshape(now);
        }

        return true;
    }

    /// <summary>Builds fresh buckets as they stood at <paramref name="at"/> (full when the levels are unknown).</summary>
    public void Start(UpstreamAccount? account, DateTimeOffset at, double? requestTokens, double? imageTokens)
    {
        _account = account;
        var (requests, images) = Shape();
        // Fresh buckets hold the burst but neither the lag allowance nor the live reserve: the first two
        // calls are a full interval apart.
        _requests = new TokenBucket(requests.Capacity, requests.Rate, at, requestTokens ?? Math.Floor(requests.Capacity - requests.Reserve));
        _images = new TokenBucket(images.Capacity, images.Rate, at, imageTokens ?? Math.Floor(images.Capacity - images.Reserve));
        _sentRequests = new SendLog(TimeSpan.FromMinutes(1) + policy.WindowGuard);
        _sentImages = new SendLog(TimeSpan.FromMinutes(1) + policy.WindowGuard);
        _windowLimits = (requests.PerWindow, images.PerWindow);
        Version++;
    }

    /// <summary>Applies a new definition, keeping the tokens the buckets hold.</summary>
    public void Configure(UpstreamAccount? account, DateTimeOffset now)
    {
        _account = account;
        Reshape(now);
    }

    /// <summary>The request bucket's level, no higher than what the last minute's sends leave room for.</summary>
    public BucketLevel Requests(DateTimeOffset now) => Level(RequestBucket, _sentRequests!, _windowLimits.Requests, now);

    /// <summary>The image bucket's level, no higher than what the last minute's sends leave room for.</summary>
    public BucketLevel Images(DateTimeOffset now) => Level(ImageBucket, _sentImages!, _windowLimits.Images, now);

    /// <summary>Takes the tokens of one call; the caller has checked that they are there.</summary>
    public void Take(int images, DateTimeOffset now)
    {
        RequestBucket.TryTake(1, now);
        ImageBucket.TryTake(images, now);
        _sentRequests!.Add(1, now);
        _sentImages!.Add(images, now);
        _counted = (_counted.Requests + 1, _counted.Images + images, _counted.Refused);
    }

    /// <summary>Gives back the tokens of a call that never reached the upstream.</summary>
    public void Refund(int images, DateTimeOffset now)
    {
        RequestBucket.Refund(1, now);
        ImageBucket.Refund(images, now);
        _sentRequests!.Remove(1, now);
        _sentImages!.Remove(images, now);
        _counted = (_counted.Requests - 1, _counted.Images - images, _counted.Refused);
    }

    /// <summary>
    /// A 429: returns how long to cool down, spreads calls evenly when it was a burst refusal, lowers
    /// the pace when it proves the pace too high, and empties the buckets down to what the upstream
    /// says is left.
    /// </summary>
    public TimeSpan OnRateLimited(TimeSpan? retryAfter, RateLimitInfo info, long? grantedAtVersion, DateTimeOffset now)
    {
        var cooldown = CooldownFor(retryAfter, info);
        _counted = (_counted.Requests, _counted.Images, _counted.Refused + 1);

        // The upstream's own figure for its limit explains the 429 when it is lower than ours. A short
        // window momentarily full while our last minute kept to the limit is a burst refusal: spread
        // each window's share over it, at the same pace. Else a 429 for a call made at the current
        // pace means the real limit is lower than we believe: slow down and remember the pace that
        // failed, so recovery stops short of it. 429s for calls granted before the pace last changed
        // are old news and teach nothing.
        var grantedAtCurrentPace = grantedAtVersion is null || grantedAtVersion >= _loweredAtVersion;
        var (requestRate, imageRate) = (RequestBucket.RatePerSecond, ImageBucket.RatePerSecond);
        Advertise(info);
        Reshape(now);
        var explained = RequestBucket.RatePerSecond < requestRate || ImageBucket.RatePerSecond < imageRate;
        if (LearnWindow(info, now) || (UpstreamWindow.ShortWindowSeconds(info) is not null && WithinMinuteLimit(now)))
        {
            Reshape(now);
        }
        else if (!explained && grantedAtCurrentPace)
        {
            // Another 429 before the last one is old news: the real limit lies lower than recovery
            // assumed, so the ceiling steps down with the pace, not only to the pace that failed (which
            // recovery reaches again within 5 %, a 429 every few seconds for minutes on a hidden limit).
            var repeated = now - LastRateLimitedAt < policy.RateProbeAfter;
            LearnedCeiling = repeated ? Math.Min(LearnedRateFactor, LearnedCeiling * 0.85) : LearnedRateFactor;
            LearnedRateFactor = Math.Max(policy.MinLearnedRateFactor, LearnedRateFactor * 0.85);

            // Between this 429 and the last, what the upstream accepted is what it refilled: a hidden
            // limit measured, not guessed down to in steps of 15 % (one 429 every few seconds for minutes).
            if (repeated && AcceptedSinceLastLowering(now) is { } measured)
            {
                LearnedCeiling = Math.Min(LearnedCeiling, measured);
                LearnedRateFactor = Math.Max(policy.MinLearnedRateFactor, Math.Min(LearnedRateFactor, measured * (1 - RecoveryHeadroom)));
            }

            _lastLowering = (_counted, now);
            LastRateLimitedAt = now;
            _lastRecoveryAt = now;
            Reshape(now);
        }

        RequestBucket.LimitTo(info.RemainingRequests ?? 0, now);
        ImageBucket.LimitTo(info.RemainingImages ?? 0, now);
        return cooldown;
    }

    /// <summary>
    /// The share of the configured (or advertised) limit the upstream accepted since the last 429 that
    /// lowered the pace, counting the limit that binds (requests or images); null when too little time
    /// or too few calls passed to tell.
    /// </summary>
    private double? AcceptedSinceLastLowering(DateTimeOffset now)
    {
        if (_lastLowering is not { } last)
        {
            return null;
        }

        var elapsed = now - last.At;
        var requests = _counted.Requests - last.Counted.Requests;
        var images = _counted.Images - last.Counted.Images;
        var refused = _counted.Refused - last.Counted.Refused;
        if (elapsed < MeasureAtLeast || requests - refused < MeasureCallsAtLeast)
        {
            return null;
        }

        var acceptedRequests = requests - refused;
        var acceptedImages = images * (acceptedRequests / (double)requests);
        var requestShare = acceptedRequests / elapsed.TotalMinutes / Math.Min(_account?.RequestsPerMinute ?? 1, _advertisedRequestLimit ?? int.MaxValue);
        var imageShare = acceptedImages / elapsed.TotalMinutes / Math.Min(_account?.ImagesPerMinute ?? 1, _advertisedImageLimit ?? int.MaxValue);
        return Math.Min(1.0, Math.Max(requestShare, imageShare));
    }

    /// <summary>
    /// A success's rate-limit headers. An upstream that advertises a lower limit than configured is
    /// believed at once, and what it says is left is taken as our level too: it has been spending at
    /// the higher pace until now. Otherwise its "remaining" figure is not used: it was true when the
    /// call arrived, not now, and lowering our level to it would throw away refill we are owed.
    /// </summary>
    public void OnSuccess(RateLimitInfo info, DateTimeOffset now)
    {
        // A window full after a success, full again within seconds: the upstream counts short windows.
        var window = LearnWindow(info, now);
        if (!Advertise(info))
        {
            if (window)
            {
                Reshape(now);
            }

            return;
        }

        Reshape(now);
        if (info.RemainingRequests is { } requests)
        {
            RequestBucket.LimitTo(requests, now);
        }

        if (info.RemainingImages is { } images)
        {
            ImageBucket.LimitTo(images, now);
        }
    }

    /// <summary>
    /// Moves a learned lower pace back up, every <see cref="AccountPolicyOptions.RateRecoveryInterval"/>
    /// without a 429, halfway to just under the pace that drew the last 429 (all the way once within
    /// a point of it), and past that pace only once the 429 is old enough to be worth testing again.
    /// Returns whether the pace changed.
    /// </summary>
    public bool Recover(DateTimeOffset now)
    {
        if (LearnedRateFactor >= 1.0 || now - _lastRecoveryAt < policy.RateRecoveryInterval)
        {
            return false;
        }

        var target = now - LastRateLimitedAt >= policy.RateProbeAfter ? 1.0 : Math.Min(1.0, LearnedCeiling * (1 - RecoveryHeadroom));
        _lastRecoveryAt = now;
        if (target <= LearnedRateFactor)
        {
            return false;
        }

        var halfway = LearnedRateFactor + ((target - LearnedRateFactor) / 2);
        LearnedRateFactor = target - halfway < 0.01 ? target : halfway;
        Reshape(now);
        return true;
    }

    /// <summary>Forgets what 429s taught and any ramp, for an operator who fixed the cause.</summary>
    public void Reset(DateTimeOffset now)
    {
        LearnedRateFactor = 1.0;
        LearnedCeiling = 1.0;
        (_rampStartedAt, RampFactor) = (null, 1.0);
        Reshape(now);
    }

    /// <summary>
    /// The account just came back from an open breaker: start at a tenth of its pace and step up
    /// (25 %, 50 %) each third of <see cref="AccountPolicyOptions.RecoveryRamp"/>, full at its end, so a
    /// recovering upstream is not hit with full load at once.
    /// </summary>
    public void StartRamp(DateTimeOffset now)
    {
        if (policy.RecoveryRamp <= TimeSpan.Zero)
        {
            return;
        }

        (_rampStartedAt, RampFactor) = (now, RampSteps[0]);
        Reshape(now);
    }

    /// <summary>Moves the ramp on to the step for <paramref name="now"/>; returns whether the pace changed.</summary>
    public bool Ramp(DateTimeOffset now)
    {
        if (_rampStartedAt is not { } started)
        {
            return false;
        }

        var step = (int)Math.Floor((now - started) / (policy.RecoveryRamp / (RampSteps.Length - 1)));
        var factor = step >= RampSteps.Length ? 1.0 : RampSteps[Math.Max(step, 0)];
        if (factor >= 1.0)
        {
            _rampStartedAt = null;
        }

        if (factor == RampFactor)
        {
            return false;
        }

        RampFactor = factor;
        Reshape(now);
        return true;
    }

    /// <summary>
    /// Without Retry-After, the reset headers give the time until the exhausted limit is full again;
    /// with a continuously refilling limit one token comes back much sooner, so the cool-down is the
    /// sooner of the two, and the emptied buckets pace what follows.
    /// </summary>
    private TimeSpan CooldownFor(TimeSpan? retryAfter, RateLimitInfo info)
    {
        var wait = retryAfter ?? TimeSpan.Zero;
        if (retryAfter is null)
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
            wait = policy.DefaultRateLimitCooldown;
        }

        return wait > policy.MaxRateLimitCooldown ? policy.MaxRateLimitCooldown : wait;
    }

    private bool Advertise(RateLimitInfo info)
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

    private void Reshape(DateTimeOffset now)
    {
        if (_requests is null || _images is null)
        {
            Start(_account, now, null, null);
            return;
        }

        var (requests, images) = Shape();
        if (requests.Rate != _requests.RatePerSecond || images.Rate != _images.RatePerSecond)
        {
            Version++;
            if (requests.Rate < _requests.RatePerSecond || images.Rate < _images.RatePerSecond)
            {
                _loweredAtVersion = Version;
            }
        }

        _requests.Reconfigure(requests.Capacity, requests.Rate, now);
        _images.Reconfigure(images.Capacity, images.Rate, now);
        _windowLimits = (requests.PerWindow, images.PerWindow);
    }

    private (BucketShape Requests, BucketShape Images) Shape()
    {
        var factor = LearnedRateFactor * RampFactor;
        var requestLimit = Math.Max(1, Math.Min(_account?.RequestsPerMinute ?? 1, _advertisedRequestLimit ?? int.MaxValue) * factor);
        var imageLimit = Math.Max(1, Math.Min(_account?.ImagesPerMinute ?? 1, _advertisedImageLimit ?? int.MaxValue) * factor);

        // The image bucket must hold the largest request the limit allows at all.
        return (ShapeOf(requestLimit, 1), ShapeOf(imageLimit, Math.Min(Math.Floor(imageLimit), MaxImagesPerRequest)));
    }

    private BucketShape ShapeOf(double perMinute, double largestCall)
    {
        var rate = perMinute * (1 - policy.RateMargin) / 60.0;

        // A little over the burst, so a call taken a moment after its token came does not lose the
        // refill meanwhile; the minute's log keeps the sum under the limit all the same.
        var burst = Math.Max(1, Math.Floor(perMinute * policy.BurstFraction)) + Math.Min(1, rate * LagAllowance.TotalSeconds);
        // The reserve is room in the minute's window too, so it costs a batch alone one call a minute:
        // kept only where that is a small share of the limit.
        var reserve = _reserveHeld && perMinute >= ReserveFromLimit ? Eligibility.LowPriorityHeadroom : 0;
        if (ShortWindowSeconds is { } seconds)
        {
            // Each window's share spread over the window and its guard, exactly one call at a time:
            // no room for a reserve beside it.
            burst = 1;
            reserve = 0;
            rate = Math.Min(rate, UpstreamWindow.PerWindow(perMinute, seconds) / (seconds + policy.ShortWindowGuard.TotalSeconds));
        }

        // Above the burst, while low calls ask, the live reserve: the tokens a low (batch) call must
        // leave for live traffic. It is room the bucket keeps, not extra pace: a batch running the
        // account at full pace holds it just under full, so a live call finds a token at once instead
        // of waiting for the next refill, and the batch loses nothing to overflow. The minute's log
        // still caps the sum.
        return new BucketShape(Math.Max(burst, largestCall) + reserve, rate, Math.Max(1, Math.Floor(perMinute + 1e-9)), reserve);
    }

    /// <summary>Takes a short window <paramref name="info"/> shows, when our last minute kept to the limit; returns whether it is new.</summary>
    private bool LearnWindow(RateLimitInfo info, DateTimeOffset now)
    {
        if (UpstreamWindow.ShortWindowSeconds(info) is not { } seconds || seconds <= (ShortWindowSeconds ?? 0) || !WithinMinuteLimit(now))
        {
            return false;
        }

        ShortWindowSeconds = seconds;
        return true;
    }

    private bool WithinMinuteLimit(DateTimeOffset now) =>
        _sentRequests!.Sum(now) <= _windowLimits.Requests && _sentImages!.Sum(now) <= _windowLimits.Images;

    /// <summary>
    /// A bucket as the rule and routing see it: whole calls (the lag allowance stays inside the
    /// bucket), no more than the last minute's sends leave room for.
    /// </summary>
    private static BucketLevel Level(TokenBucket bucket, SendLog sent, double perWindow, DateTimeOffset now)
    {
        var capacity = Math.Max(1, Math.Floor(bucket.Capacity + 1e-9));
        var room = perWindow - sent.Sum(now);
        return new BucketLevel(Math.Max(0, Math.Min(Math.Min(bucket.Available(now), capacity), room)), capacity, bucket.RatePerSecond);
    }

    private TokenBucket RequestBucket => _requests ?? throw new InvalidOperationException("Pacing has not started.");

    private TokenBucket ImageBucket => _images ?? throw new InvalidOperationException("Pacing has not started.");

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>Time for one token of a per-minute limit; a whole minute when the limit is unknown.</summary>
    private static TimeSpan OneToken(int? perMinute) => TimeSpan.FromSeconds(60.0 / Math.Max(1, perMinute ?? 1));

    /// <summary>One bucket's shape: its capacity, its refill per second, and the most a minute may hold.</summary>
    private readonly record struct BucketShape(double Capacity, double Rate, double PerWindow, double Reserve);
}
