using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace ImageOrleans.Benchmarks;

/// <summary>
/// Where a request's time goes (<c>overhead --timeline on</c>): every span of every source in this process
/// (the load generator's and the gateway's HTTP calls, ASP.NET Core, Orleans' grain calls, the gateway's own
/// spans), grouped by trace; for the traces that went through an account lease, each span's median start and
/// end, measured from the start of the trace's first span (the load generator's call). Listening to every
/// span costs time on every path, so the latency figures of a run with a timeline are not comparable with
/// one without.
/// </summary>
public sealed class SpanTimeline : IDisposable
{
    private readonly ConcurrentQueue<Span> _spans = new();
    private readonly ActivityListener _listener;

    public SpanTimeline()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => _spans.Enqueue(new Span(a.TraceId, a.DisplayName, a.StartTimeUtc, a.Duration)),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    /// <summary>Forgets what was recorded so far.</summary>
    public void Clear() => _spans.Clear();

    /// <summary>Prints the median timeline of the leased requests recorded since the last <see cref="Clear"/>.</summary>
    public void Print(string title)
    {
        var traces = _spans.GroupBy(s => s.Trace)
            .Select(g => g.OrderBy(s => s.Start).ToList())
            .Where(t => t.Any(s => s.Name == "imageorleans.lease"))
            .ToList();
        Console.WriteLine($"timeline, {title}: {traces.Count} leased requests; ms from the client's call, median");
        var rows = new Dictionary<string, (List<double> Start, List<double> End)>(StringComparer.Ordinal);
        foreach (var trace in traces)
        {
            var origin = trace[0].Start;
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var span in trace)
            {
                // The second span of one name in a trace (the upstream's HTTP server, a grain call's callee side) is its own row.
                var n = seen[span.Name] = seen.GetValueOrDefault(span.Name, -1) + 1;
                var key = n == 0 ? span.Name : $"{span.Name} #{n + 1}";
                if (!rows.TryGetValue(key, out var row))
                {
                    rows[key] = row = ([], []);
                }

                var start = (span.Start - origin).TotalMilliseconds;
                row.Start.Add(start);
                row.End.Add(start + span.Duration.TotalMilliseconds);
            }
        }

        Console.WriteLine($"  {"span",-70} {"count",6} {"start",8} {"end",8}");
        foreach (var (name, row) in rows.Where(r => r.Value.Start.Count * 2 >= traces.Count).OrderBy(r => Median(r.Value.Start)))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name,-70} {row.Start.Count,6} {Median(row.Start),8:0.000} {Median(row.End),8:0.000}"));
        }
    }

    public void Dispose() => _listener.Dispose();

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN : sorted[sorted.Count / 2];
    }

    private sealed record Span(ActivityTraceId Trace, string Name, DateTime Start, TimeSpan Duration);
}
