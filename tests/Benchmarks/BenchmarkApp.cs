namespace ImageOrleans.Benchmarks;

/// <summary>Entry point of the benchmark program: picks the scenario named by the first argument.</summary>
public static class BenchmarkApp
{
    private const string Usage = """
        usage: dotnet run -c Release --project tests/Benchmarks -- <scenario> [options]
          overhead   latency the gateway adds over a zero-latency upstream, cache miss and hit
                     --concurrency 200  --requests 4000  --hit-concurrency <concurrency>  --miss-cache on|bypass
                     --upstream-latency-ms 0  --telemetry on|off|traces
          pool       offered load at a multiple of the pool's capacity: utilisation, 429s, losses, fairness
                     --accounts 20  --images-per-min 60  --overload 2  --seconds 60  --tenants 4
                     --priority-mix high=0.1,normal=0.9  --upstream-latency-ms 1000  --true-limit-factor 1
                     --advertise-limits true  --warmup-seconds 10  --queue-depth 5000  --silos 1  --prefill true
                     --mix uniform|heterogeneous  --rate-limit bucket|fixed-window|sliding-window  --window-seconds 60
                     --gateway URL --simulator URL   (measure a running gateway and its simulator)
          hold       many requests waiting at once on one silo process: RSS per waiting request, errors, 429s while draining
                     --requests 15000  --accounts 10  --images-per-min 600  --upstream-latency-ms 200
        """;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }

        try
        {
            var options = new ArgReader(args.Skip(1));
            return args[0] switch
            {
                "overhead" => await OverheadBenchmark.RunAsync(options),
                "pool" => await PoolBenchmark.RunAsync(options),
                "hold" => await HoldBenchmark.RunAsync(options),
                _ => throw new ArgumentException($"Unknown scenario '{args[0]}'."),
            };
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine(ex.Message);
            Console.Error.WriteLine(Usage);
            return 2;
        }
    }
}
