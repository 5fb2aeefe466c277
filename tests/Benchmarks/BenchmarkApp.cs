namespace ImageOrleans.Benchmarks;

/// <summary>Entry point of the benchmark program: picks the scenario named by the first argument.</summary>
public static class BenchmarkApp
{
    private const string Usage = """
        usage: dotnet run -c Release --project tests/Benchmarks -- <scenario> [options]
          overhead   latency and CPU the gateway adds over a zero-latency upstream and over the engine's floor
                     (ASP.NET Core + Orleans pass-through), cache miss and hit, closed and open loop
                     --protocol http|grpc|both  --mode closed|open|both  --rates 200,1000  --seconds 12  --rounds 4
                     --concurrency 200  --requests 4000  --hit-concurrency <concurrency>  --miss-cache on|bypass
                     --upstream-latency-ms 0  --telemetry on|off|traces
                     --timeline on|off   (median span timeline of the open-loop misses; slows every path)
          pool       offered load at a multiple of the pool's capacity: utilisation, 429s, losses, fairness
                     --accounts 20  --images-per-min 60  --overload 2  --seconds 60  --tenants 4
                     --priority-mix high=0.1,normal=0.9  --upstream-latency-ms 1000  --true-limit-factor 1
                     --advertise-limits true  --warmup-seconds 10  --queue-depth 5000  --silos 1  --prefill true
                     --mix uniform|heterogeneous  --rate-limit bucket|fixed-window|sliding-window  --window-seconds 60
                     --gateway URL --simulator URL   (measure a running gateway and its simulator)
          edit-memory  peak managed memory while one large edit goes through the gateway
                     --files 16  --megabytes 20
          batch      a batch alone vs the pool's capacity, and live queue waits without and with a batch
                     --items 2000  --accounts 20  --images-per-min 60  --upstream-latency-ms 1000
                     --live-share 0.2  --live-seconds 30  --in-flight 256  --warmup-items <a minute of capacity>
          faults     a fault matrix: client success, lost, upstream calls per request, p99 under injected faults
                     --accounts 4,20  --scenarios mix,mix-slow-body,one-down,all-down  --requests 1000  --rate 20
                     --server-error 0.10  --hang 0.03  --reset 0.02  --truncated 0.01  --slow-body 0.01
                     --upstream-latency-ms 200  --timeout-seconds 5  --deadline-seconds 60  --retry-budget 0.2  --retry-reserve 50
          soak       silo processes on Redis and PostgreSQL at a share of capacity with faults, one restarted at intervals:
                     lost, upstream 429s, RSS slope per silo process, activations and storage rows over time
                     --minutes 30  --restart-every-minutes 10  --silos 3  --accounts 8  --images-per-min 60  --load 0.8
                     --upstream-latency-ms 1000  --timeout-seconds 10  --sample-seconds 30
                     --server-error 0.10  --hang 0.03  --reset 0.02  --truncated 0.01
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
                "edit-memory" => await EditMemoryBenchmark.RunAsync(options),
                "batch" => await BatchBenchmark.RunAsync(options),
                "faults" => await FaultsBenchmark.RunAsync(options),
                "soak" => await SoakBenchmark.RunAsync(options),
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
