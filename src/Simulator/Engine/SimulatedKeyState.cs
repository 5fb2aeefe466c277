using ImageOrleans.Simulator.RateLimiting;

namespace ImageOrleans.Simulator.Engine;

/// <summary>The run-time state of one configured key: its current settings, both buckets and its concurrency gate.</summary>
internal sealed class SimulatedKeyState
{
    private readonly Lock _lock = new();
    private readonly IRateLimiter _requests;
    private readonly IRateLimiter _images;
    private SimulatedKey _config;
    private int _active;

    public SimulatedKeyState(SimulatedKey config, KeyCounters counters, long timestampFrequency)
    {
        _config = config;
        Counters = counters;
        MaskedKey = KeyMask.Mask(config.Key);
        _requests = Limiter(config, config.EnforcedRequestsPerMinute, timestampFrequency);
        _images = Limiter(config, config.EnforcedImagesPerMinute, timestampFrequency);
    }

    public KeyCounters Counters { get; }

    public string MaskedKey { get; }

    /// <summary>A private copy that nobody mutates: readers need no lock.</summary>
    public SimulatedKey Config => Volatile.Read(ref _config);

    public void Update(SimulatedKey config, long timestamp)
    {
        lock (_lock)
        {
            _requests.ChangeLimit(config.EnforcedRequestsPerMinute, timestamp);
            _images.ChangeLimit(config.EnforcedImagesPerMinute, timestamp);
            Volatile.Write(ref _config, config);
        }
    }

    /// <summary>Takes a concurrency slot unless MaxConcurrency are already taken; pair with <see cref="Exit"/>.</summary>
    public bool TryEnter()
    {
        var max = Config.MaxConcurrency;
        var active = Interlocked.Increment(ref _active);
        if (max > 0 && active > max)
        {
            Interlocked.Decrement(ref _active);
            return false;
        }

        return true;
    }

    public void Exit() => Interlocked.Decrement(ref _active);

    /// <summary>Charges one request and <paramref name="images"/> images, or neither when either bucket refuses.</summary>
    public RateLimitDecision TryAcquire(int images, long timestamp)
    {
        lock (_lock)
        {
            var requestsAllowed = _requests.CanAcquire(1, timestamp, out var requestsWait);
            var imagesAllowed = _images.CanAcquire(images, timestamp, out var imagesWait);
            if (requestsAllowed && imagesAllowed)
            {
                _requests.Acquire(1, timestamp);
                _images.Acquire(images, timestamp);
                return RateLimitDecision.Admitted;
            }

            // Report the bucket that holds the request back longest; its wait admits both.
            var imagesNever = !imagesAllowed && imagesWait == Timeout.InfiniteTimeSpan;
            var reportImages = !imagesAllowed && (requestsAllowed || imagesNever || imagesWait > requestsWait);
            var (limiter, bucket, requested) = reportImages
                ? (_images, RateLimitBucket.Images, images)
                : (_requests, RateLimitBucket.Requests, 1);
            TimeSpan? retryAfter = imagesNever
                ? null
                : TimeSpan.FromTicks(Math.Max(requestsAllowed ? 0 : requestsWait.Ticks, imagesAllowed ? 0 : imagesWait.Ticks));
            return new RateLimitDecision(false, bucket, limiter.Capacity, limiter.Capacity - limiter.Remaining(timestamp), requested, retryAfter);
        }
    }

    public RateLimitStatus GetStatus(long timestamp)
    {
        lock (_lock)
        {
            return new RateLimitStatus(Status(_requests, timestamp), Status(_images, timestamp));
        }
    }

    public void Refill()
    {
        lock (_lock)
        {
            _requests.Refill();
            _images.Refill();
        }
    }

    private static IRateLimiter Limiter(SimulatedKey config, int perMinute, long frequency) => config.RateLimit switch
    {
        RateLimitMode.FixedWindow => new WindowLimiter(perMinute, config.WindowSeconds, sliding: false, frequency),
        RateLimitMode.SlidingWindow => new WindowLimiter(perMinute, config.WindowSeconds, sliding: true, frequency),
        _ => new GcraLimiter(perMinute, frequency),
    };

    private static BucketStatus Status(IRateLimiter limiter, long timestamp) =>
        new(limiter.Limit, limiter.Remaining(timestamp), limiter.TimeUntilFull(timestamp));
}
