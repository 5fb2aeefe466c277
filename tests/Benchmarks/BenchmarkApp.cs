namespace ImageOrleans.Benchmarks;

/// <summary>Entry point of the benchmark program: picks the scenario named by the first argument.</summary>
public static class BenchmarkApp
{
    public static Task<int> RunAsync(string[] args)
    {
        Console.Error.WriteLine("usage: dotnet run -c Release --project tests/Benchmarks -- <scenario> [options]");
        return Task.FromResult(args.Length == 0 ? 2 : 2);
    }
}
