using System.Globalization;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Simulator;

namespace ImageOrleans.Benchmarks;

/// <summary>Options of the pool benchmark.</summary>
public sealed record PoolBenchmarkOptions
{
    public int Accounts { get; init; } = 20;
    public int ImagesPerMinute { get; init; } = 60;
    public double Overload { get; init; } = 2.0;
    public int Seconds { get; init; } = 60;
    public int Tenants { get; init; } = 4;
    public IReadOnlyList<(RequestPriority Priority, double Share)> PriorityMix { get; init; } = [(RequestPriority.Normal, 1.0)];
    public double UpstreamLatencyMs { get; init; } = 1000;
    public double TrueLimitFactor { get; init; } = 1.0;
    public bool AdvertiseLimits { get; init; } = true;
    public int WarmupSeconds { get; init; } = 10;
    public int QueueDepth { get; init; } = 5000;
    public string? Gateway { get; init; }
    public string? Simulator { get; init; }
    public int Silos { get; init; } = 1;

    /// <summary>Run the silos as separate processes on Redis and PostgreSQL (the production profile) instead of one in-process silo.</summary>
    public bool Cluster { get; init; }

    /// <summary>Offer the accounts' initial burst at once before the steady load.</summary>
    public bool Prefill { get; init; } = true;

    /// <summary>"uniform" (every account alike, from the options above) or "heterogeneous" (<see cref="PoolAccountProfile.Heterogeneous"/>).</summary>
    public string Mix { get; init; } = "uniform";

    public bool Heterogeneous => Mix == "heterogeneous";

    /// <summary>How the simulator counts each key's per-minute limit: a bucket, fixed short windows, or a sliding window.</summary>
    public RateLimitMode RateLimit { get; init; } = RateLimitMode.Bucket;

    /// <summary>The window of the window modes, in seconds (the per-minute limit is scaled to it).</summary>
    public int WindowSeconds { get; init; } = 60;

    /// <summary>The accounts of the pool, one profile each.</summary>
    public IReadOnlyList<PoolAccountProfile> Profiles => Heterogeneous
        ? PoolAccountProfile.Heterogeneous
        : [.. Enumerable.Repeat(new PoolAccountProfile(ImagesPerMinute, UpstreamLatencyMs, 0, TrueLimitFactor, AdvertiseLimits), Accounts)];

    public double CapacityImagesPerMinute => Profiles.Sum(p => (double)p.ImagesPerMinute);

    /// <summary>What the pool can really serve: each account's true limit, less the share of its calls that fail.</summary>
    public double TrueCapacityImagesPerMinute => Profiles.Sum(p => p.ServableImagesPerMinute);

    public static PoolBenchmarkOptions Read(ArgReader args)
    {
        var options = new PoolBenchmarkOptions
        {
            Accounts = args.Number("accounts", 20),
            ImagesPerMinute = args.Number("images-per-min", 60),
            Overload = args.Real("overload", 2.0),
            Seconds = args.Number("seconds", 60),
            Tenants = args.Number("tenants", 4),
            PriorityMix = ParseMix(args.Text("priority-mix", "normal=1")!),
            UpstreamLatencyMs = args.Real("upstream-latency-ms", 1000),
            TrueLimitFactor = args.Real("true-limit-factor", 1.0),
            AdvertiseLimits = args.Text("advertise-limits", "true") != "false",
            QueueDepth = args.Number("queue-depth", 5000),
            Gateway = args.Text("gateway"),
            Simulator = args.Text("simulator"),
            Silos = args.Number("silos", 0),
            Prefill = args.Text("prefill", "true") != "false",
            Mix = args.Text("mix", "uniform")!,
            WindowSeconds = args.Number("window-seconds", 0),
        };
        var rateLimit = args.Text("rate-limit", options.WindowSeconds > 0 ? "fixed-window" : "bucket");
        options = options with
        {
            // Served images are counted as they complete: the warm-up must let the slowest account's first calls end.
            WarmupSeconds = args.Number("warmup-seconds", Math.Max(Math.Clamp(options.Seconds / 6, 5, 30), (int)Math.Ceiling(options.Profiles.Max(p => p.LatencyMs) / 1000) + 5)),
            Cluster = options.Silos > 0,
            Silos = Math.Max(1, options.Silos),
            Accounts = options.Mix == "heterogeneous" ? PoolAccountProfile.Heterogeneous.Count : options.Accounts,
            RateLimit = rateLimit switch
            {
                "bucket" => RateLimitMode.Bucket,
                "fixed-window" => RateLimitMode.FixedWindow,
                "sliding-window" => RateLimitMode.SlidingWindow,
                _ => throw new ArgumentException("--rate-limit is bucket, fixed-window or sliding-window."),
            },
            WindowSeconds = options.WindowSeconds > 0 ? options.WindowSeconds : 60,
        };
        if (options.WindowSeconds is < 1 or > 60)
        {
            throw new ArgumentException("--window-seconds is 1 to 60.");
        }
        if (options.Mix is not ("uniform" or "heterogeneous"))
        {
            throw new ArgumentException("--mix is uniform or heterogeneous.");
        }

        if (options.Accounts < 1 || options.ImagesPerMinute < 1 || options.Overload <= 0 || options.Seconds < 1 || options.Tenants < 1
            || options.WarmupSeconds >= options.Seconds || options.TrueLimitFactor is <= 0 or > 1)
        {
            throw new ArgumentException("Accounts, images per minute, overload, seconds and tenants must be positive, warm-up shorter than the run, true-limit-factor in (0, 1].");
        }

        if (options.Gateway is not null && options.Simulator is null)
        {
            throw new ArgumentException("--gateway needs --simulator too: the upstream counters come from the simulator.");
        }

        return options;
    }

    /// <summary>"high=0.1,normal=0.9": each class's share of the offered requests.</summary>
    private static List<(RequestPriority, double)> ParseMix(string text)
    {
        var mix = new List<(RequestPriority, double)>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var pieces = part.Split('=', 2);
            if (pieces.Length != 2 || !Enum.TryParse<RequestPriority>(pieces[0], ignoreCase: true, out var priority)
                || !double.TryParse(pieces[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var share) || share < 0)
            {
                throw new ArgumentException($"--priority-mix: '{part}' is not class=share (for example high=0.1,normal=0.9).");
            }

            mix.Add((priority, share));
        }

        var total = mix.Sum(m => m.Item2);
        return total > 0 ? [.. mix.Select(m => (m.Item1, m.Item2 / total))] : throw new ArgumentException("--priority-mix has no positive share.");
    }
}
