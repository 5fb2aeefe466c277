namespace ImageOrleans.Simulator.Engine;

/// <summary>Draws a delay from the configured distribution.</summary>
internal static class LatencySampler
{
    public static bool IsRandom(LatencyOptions latency) =>
        !string.Equals(latency.Distribution, LatencyOptions.Fixed, StringComparison.OrdinalIgnoreCase);

    /// <summary>Draws one delay; <paramref name="random"/> is only touched for random distributions.</summary>
    public static TimeSpan Sample(LatencyOptions latency, Random random)
    {
        double milliseconds;
        if (string.Equals(latency.Distribution, LatencyOptions.Uniform, StringComparison.OrdinalIgnoreCase))
        {
            milliseconds = latency.MinMs + ((latency.MaxMs - latency.MinMs) * random.NextDouble());
        }
        else if (string.Equals(latency.Distribution, LatencyOptions.LogNormal, StringComparison.OrdinalIgnoreCase))
        {
            // Box-Muller: 1 - NextDouble() lies in (0, 1], so the logarithm is finite.
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            var normal = Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
            milliseconds = latency.MedianMs * Math.Exp(latency.Sigma * normal);
            if (latency.MaxMs > 0)
            {
                milliseconds = Math.Min(milliseconds, latency.MaxMs);
            }
        }
        else
        {
            milliseconds = latency.MedianMs;
        }

        return milliseconds > 0 ? TimeSpan.FromMilliseconds(milliseconds) : TimeSpan.Zero;
    }
}
