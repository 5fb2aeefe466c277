using System.Globalization;
using System.Text;

namespace ImageOrleans.Simulator.RateLimiting;

/// <summary>Formats durations the way OpenAI's x-ratelimit-reset-* headers do (Go's time.Duration: "250ms", "1.5s", "1m0s").</summary>
internal static class OpenAiDuration
{
    public static string Format(TimeSpan duration)
    {
        if (duration <= TimeSpan.Zero)
        {
            return "0s";
        }

        // Millisecond resolution, rounded up so that a client waiting the advertised time is never early.
        var milliseconds = (duration.Ticks + TimeSpan.TicksPerMillisecond - 1) / TimeSpan.TicksPerMillisecond;
        if (milliseconds < 1000)
        {
            return milliseconds.ToString(CultureInfo.InvariantCulture) + "ms";
        }

        var hours = milliseconds / 3_600_000;
        var minutes = milliseconds / 60_000 % 60;
        var seconds = milliseconds / 1000 % 60;
        var fraction = milliseconds % 1000;

        var builder = new StringBuilder(16);
        if (hours > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (hours > 0 || minutes > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{minutes}m");
        }

        builder.Append(CultureInfo.InvariantCulture, $"{seconds}");
        if (fraction > 0)
        {
            builder.Append('.').Append(fraction.ToString("000", CultureInfo.InvariantCulture).TrimEnd('0'));
        }

        return builder.Append('s').ToString();
    }
}
