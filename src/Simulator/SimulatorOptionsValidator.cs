using System.Globalization;
using ImageOrleans.Simulator.Engine;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Simulator;

/// <summary>Checks simulator options at start-up and every key or fault set at run time.</summary>
internal sealed class SimulatorOptionsValidator : IValidateOptions<SimulatorOptions>
{
    // Bounds keep a typo from turning into a 10-minute latency or a 100-megapixel PNG per request.
    private const int MaxPerMinute = 10_000_000;
    private const int MaxConcurrencyLimit = 1_000_000;
    private const double MaxDelayMs = 3_600_000;
    private const int MaxImageSide = 4096;
    private const int MaxKeyLength = 512;

    /// <summary>Keys are added at run time over HTTP too, so their number is capped like everything else.</summary>
    public const int MaxKeys = 10_000;

    public ValidateOptionsResult Validate(string? name, SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        if (options.Keys is null)
        {
            errors.Add("Keys must not be null.");
        }
        else
        {
            if (options.Keys.Count > MaxKeys)
            {
                errors.Add($"Keys must hold at most {MaxKeys} keys.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < options.Keys.Count; i++)
            {
                var key = options.Keys[i];
                if (key is null)
                {
                    errors.Add($"Keys[{i}] must not be null.");
                    continue;
                }

                ValidateKey(key, errors, $"Keys[{i}].");
                if (!string.IsNullOrEmpty(key.Key) && !seen.Add(key.Key))
                {
                    errors.Add($"Keys[{i}].Key duplicates an earlier key ({KeyMask.Mask(key.Key)}).");
                }
            }
        }

        if (options.Faults is null)
        {
            errors.Add("Faults must not be null.");
        }
        else
        {
            ValidateFaults(options.Faults, errors, "Faults.");
        }

        if (options.Latency is null)
        {
            errors.Add("Latency must not be null.");
        }
        else
        {
            ValidateLatency(options.Latency, errors);
        }

        if (options.Image is null)
        {
            errors.Add("Image must not be null.");
        }
        else
        {
            RequireRange(options.Image.Width, 1, MaxImageSide, "Image.Width", errors);
            RequireRange(options.Image.Height, 1, MaxImageSide, "Image.Height", errors);
        }

        if (options.ContentPolicyKeyword is null)
        {
            errors.Add("ContentPolicyKeyword must not be null (use an empty string to disable the check).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    public static void ValidateKey(SimulatedKey key, List<string> errors, string prefix = "")
    {
        if (string.IsNullOrWhiteSpace(key.Key))
        {
            errors.Add($"{prefix}Key must not be empty.");
        }
        else if (key.Key.Length > MaxKeyLength || key.Key.Any(char.IsWhiteSpace))
        {
            errors.Add($"{prefix}Key must be at most {MaxKeyLength} characters without whitespace.");
        }

        RequireRange(key.RequestsPerMinute, 1, MaxPerMinute, prefix + "RequestsPerMinute", errors);
        RequireRange(key.ImagesPerMinute, 1, MaxPerMinute, prefix + "ImagesPerMinute", errors);
        RequireRange(key.MaxConcurrency, 0, MaxConcurrencyLimit, prefix + "MaxConcurrency", errors);
        RequireRange(key.WindowSeconds, 1, 60, prefix + "WindowSeconds", errors);
        if (!Enum.IsDefined(key.RateLimit))
        {
            errors.Add($"{prefix}RateLimit must be Bucket, FixedWindow or SlidingWindow.");
        }
        if (!double.IsFinite(key.TrueLimitFactor) || key.TrueLimitFactor <= 0 || key.TrueLimitFactor > 100)
        {
            errors.Add($"{prefix}TrueLimitFactor must be greater than 0 and at most 100.");
        }

        if (key.ForbiddenModels is null || key.ForbiddenModels.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{prefix}ForbiddenModels must be a list of non-empty model names.");
        }

        if (key.Models is not null && key.Models.Any(string.IsNullOrWhiteSpace))
        {
            errors.Add($"{prefix}Models must not contain empty model names.");
        }

        if (key.Faults is not null)
        {
            ValidateFaults(key.Faults, errors, prefix + "Faults.");
        }
    }

    public static void ValidateFaults(FaultOptions faults, List<string> errors, string prefix = "")
    {
        RequireProbability(faults.ServerErrorRate, prefix + "ServerErrorRate", errors);
        RequireProbability(faults.TimeoutRate, prefix + "TimeoutRate", errors);
        RequireProbability(faults.ResetRate, prefix + "ResetRate", errors);
        RequireProbability(faults.MalformedRate, prefix + "MalformedRate", errors);
        RequireProbability(faults.TruncatedRate, prefix + "TruncatedRate", errors);
        RequireProbability(faults.SlowBodyRate, prefix + "SlowBodyRate", errors);
        RequireRange(faults.SlowBodyBytesPerSecond, 1, 1_000_000, prefix + "SlowBodyBytesPerSecond", errors);

        // One draw picks at most one fault, so the rates partition [0, 1).
        if (faults.TotalRate > 1 + 1e-9)
        {
            errors.Add($"{prefix}ServerErrorRate + TimeoutRate + ResetRate + MalformedRate + TruncatedRate + SlowBodyRate must not exceed 1.");
        }

        RequireRange(faults.HangMs, 0, (int)MaxDelayMs, prefix + "HangMs", errors);
    }

    public static void ThrowIfInvalid(List<string> errors, string paramName)
    {
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), paramName);
        }
    }

    private static void ValidateLatency(LatencyOptions latency, List<string> errors)
    {
        var distribution = latency.Distribution;
        if (!string.Equals(distribution, LatencyOptions.Fixed, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(distribution, LatencyOptions.Uniform, StringComparison.OrdinalIgnoreCase)
            && !string.Equals(distribution, LatencyOptions.LogNormal, StringComparison.OrdinalIgnoreCase))
        {
            errors.Add("Latency.Distribution must be \"fixed\", \"uniform\" or \"lognormal\".");
        }

        RequireDelay(latency.MedianMs, "Latency.MedianMs", errors);
        RequireDelay(latency.MinMs, "Latency.MinMs", errors);
        RequireDelay(latency.MaxMs, "Latency.MaxMs", errors);
        if (string.Equals(distribution, LatencyOptions.Uniform, StringComparison.OrdinalIgnoreCase) && latency.MinMs > latency.MaxMs)
        {
            errors.Add("Latency.MinMs must not exceed Latency.MaxMs for the uniform distribution.");
        }

        if (!double.IsFinite(latency.Sigma) || latency.Sigma < 0 || latency.Sigma > 10)
        {
            errors.Add("Latency.Sigma must be between 0 and 10.");
        }
    }

    private static void RequireRange(int value, int min, int max, string name, List<string> errors)
    {
        if (value < min || value > max)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be between {min} and {max}, but was {value}."));
        }
    }

    private static void RequireProbability(double value, string name, List<string> errors)
    {
        if (!double.IsFinite(value) || value < 0 || value > 1)
        {
            errors.Add($"{name} must be between 0 and 1.");
        }
    }

    private static void RequireDelay(double value, string name, List<string> errors)
    {
        if (!double.IsFinite(value) || value < 0 || value > MaxDelayMs)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture, $"{name} must be between 0 and {MaxDelayMs}."));
        }
    }
}
