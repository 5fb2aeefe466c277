using ImageOrleans.Benchmarks;

return await BenchmarkApp.RunAsync(args);
