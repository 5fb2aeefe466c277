using System.Globalization;
using System.Text.Json;
using ImageOrleans.Grains.Dispatch;

namespace ImageOrleans.Benchmarks;

/// <summary>The figures of a pool benchmark, as a table for people and a last JSON line for machines.</summary>
public sealed class PoolReport
{
    private readonly Dictionary<string, object?> _json = new();
    private readonly List<string> _lines = [];

    public static PoolReport Build(PoolBenchmarkOptions options, double offeredPerSecond, int offered, int prefill, IReadOnlyList<Outcome> outcomes, UpstreamSamples upstream, long mostRateLimitedPerKey)
    {
        var report = new PoolReport();
        var window = TimeSpan.FromSeconds(options.Seconds - options.WarmupSeconds);
        var achievedPerMinute = (upstream.ServedAtEnd - upstream.ServedAtWarmup) / window.TotalMinutes;
        var capacity = options.CapacityImagesPerMinute;
        var trueCapacity = options.TrueCapacityImagesPerMinute;

        var answered = outcomes.Count;
        var rejected = outcomes.Count(o => o.Rejected);
        var accepted = offered - rejected;
        var completed = outcomes.Count(o => o.Completed);
        var failed = outcomes.Count(o => !o.Completed && !o.Rejected && !o.Lost);
        var lost = accepted - completed - failed;

        var latencies = outcomes.Where(o => o.Completed).Select(o => (o.Ended - o.Started).TotalMilliseconds).ToList();
        // Queue waits in the steady state: requests that arrived after warm-up.
        var waits = outcomes.Where(o => o.Completed && o.Started >= TimeSpan.FromSeconds(options.WarmupSeconds)).GroupBy(o => o.Priority)
            .ToDictionary(g => g.Key.ToString().ToLowerInvariant(), g => Math.Round(Percentile(g.Select(o => o.QueueMs).ToList(), 95), 1));

        // Fairness over what each tenant got done while the load was on, after warm-up.
        var from = TimeSpan.FromSeconds(options.WarmupSeconds);
        var to = TimeSpan.FromSeconds(options.Seconds);
        var perTenant = Enumerable.Range(0, options.Tenants)
            .Select(t => (double)outcomes.Count(o => o.Tenant == t && o.Completed && o.Ended >= from && o.Ended < to))
            .ToList();
        var jain = perTenant.Sum() is var sum && sum > 0 ? sum * sum / (perTenant.Count * perTenant.Sum(x => x * x)) : 0;

        var errors = outcomes.Where(o => !o.Completed).GroupBy(o => $"{o.Status} {o.Code}").ToDictionary(g => g.Key, g => g.Count());

        report._json["scenario"] = "pool";
        report._json["accounts"] = options.Accounts;
        report._json["silos"] = options.Silos;
        report._json["capacity_images_per_min"] = capacity;
        report._json["true_capacity_images_per_min"] = trueCapacity;
        report._json["offered_images_per_min"] = Math.Round(offeredPerSecond * 60, 1);
        report._json["achieved_images_per_min"] = Math.Round(achievedPerMinute, 1);
        report._json["utilization"] = Math.Round(achievedPerMinute / capacity, 4);
        report._json["utilization_of_true_capacity"] = Math.Round(achievedPerMinute / trueCapacity, 4);
        report._json["upstream_429"] = upstream.AfterDrain.RateLimited;
        report._json["upstream_429_most_per_account"] = mostRateLimitedPerKey;
        report._json["rate_limit"] = options.RateLimit.ToString();
        report._json["window_seconds"] = options.RateLimit == ImageOrleans.Simulator.RateLimitMode.Bucket ? null : options.WindowSeconds;
        report._json["upstream_429_timeline"] = upstream.Timeline.ToDictionary(t => t.Second.ToString(CultureInfo.InvariantCulture), t => t.RateLimited);
        report._json["offered"] = offered;
        report._json["prefill"] = prefill;
        report._json["answered"] = answered;
        report._json["rejected"] = rejected;
        report._json["accepted"] = accepted;
        report._json["completed"] = completed;
        report._json["failed"] = failed;
        report._json["lost"] = lost;
        report._json["p50_ms"] = Math.Round(Percentile(latencies, 50), 1);
        report._json["p99_ms"] = Math.Round(Percentile(latencies, 99), 1);
        report._json["queue_wait_p95_ms_by_priority"] = waits;
        report._json["jain_fairness"] = Math.Round(jain, 4);
        report._json["completed_per_tenant_in_window"] = perTenant;
        report._json["errors"] = errors;

        report._lines.Add(string.Create(CultureInfo.InvariantCulture, $"capacity          {capacity,10:0} images/min (true {trueCapacity:0}: real limits, less what failing accounts fail)"));
        report._lines.Add(string.Create(CultureInfo.InvariantCulture, $"offered           {offeredPerSecond * 60,10:0} images/min, {offered} requests ({prefill} of them at once to spend the initial bursts)"));
        report._lines.Add(string.Create(CultureInfo.InvariantCulture, $"achieved          {achievedPerMinute,10:0.0} images/min after {options.WarmupSeconds} s warm-up"));
        report._lines.Add(string.Create(CultureInfo.InvariantCulture, $"utilization       {achievedPerMinute / capacity,10:0.000} (of true capacity {achievedPerMinute / trueCapacity:0.000})"));
        report._lines.Add(string.Create(CultureInfo.InvariantCulture, $"upstream 429      {upstream.AfterDrain.RateLimited,10}   most per account {mostRateLimitedPerKey}, timeline {string.Join(' ', upstream.Timeline.Select(t => $"{t.Second}s:{t.RateLimited}"))}"));
        report._lines.Add(string.Create(CultureInfo.InvariantCulture, $"accepted          {accepted,10}   completed {completed}, failed {failed}, lost {lost}, rejected {rejected}"));
        report._lines.Add(string.Create(CultureInfo.InvariantCulture, $"latency           {Percentile(latencies, 50),10:0} ms p50, {Percentile(latencies, 99):0} ms p99"));
        report._lines.Add($"queue wait p95    {string.Join(", ", waits.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Key} {w.Value:0} ms")))}");
        report._lines.Add(string.Create(CultureInfo.InvariantCulture, $"fairness (Jain)   {jain,10:0.000}   per tenant {string.Join(' ', perTenant)}"));
        if (errors.Count > 0)
        {
            report._lines.Add($"errors            {string.Join(", ", errors.Select(e => $"{e.Key}: {e.Value}"))}");
        }

        return report;
    }

    /// <summary>Each account's share of what was served in the window, next to its fair share (what it can serve, as a share of the true capacity).</summary>
    public void AddShares(PoolBenchmarkOptions options, IReadOnlyList<long> servedInWindow)
    {
        var total = Math.Max(1, servedInWindow.Sum());
        var trueCapacity = options.TrueCapacityImagesPerMinute;
        var rows = options.Profiles.Select((p, i) => new
        {
            account = $"bench-{i + 1}",
            images_per_min = p.ImagesPerMinute,
            true_images_per_min = p.TrueImagesPerMinute,
            latency_ms = p.LatencyMs,
            failure_rate = p.FailureRate,
            served = servedInWindow[i],
            share = Math.Round(servedInWindow[i] / (double)total, 4),
            fair_share = Math.Round(p.ServableImagesPerMinute / trueCapacity, 4),
        }).ToList();
        _json["per_account"] = rows;
        _lines.Add("account      limit  true  latency  fails   served   share   fair");
        foreach (var r in rows)
        {
            _lines.Add(string.Create(CultureInfo.InvariantCulture,
                $"{r.account,-10} {r.images_per_min,6} {r.true_images_per_min,5} {r.latency_ms / 1000,6:0} s {r.failure_rate,6:P0} {r.served,8} {r.share,7:P1} {r.fair_share,6:P1}"));
        }
    }

    public void Print()
    {
        Console.WriteLine();
        foreach (var line in _lines)
        {
            Console.WriteLine(line);
        }

        Console.WriteLine(JsonSerializer.Serialize(_json));
    }

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        values.Sort();
        var rank = (int)Math.Ceiling(p / 100.0 * values.Count) - 1;
        return values[Math.Clamp(rank, 0, values.Count - 1)];
    }
}
