using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Caching;

/// <summary>Checks <c>ImageOrleans:Cache</c> at start-up, naming the setting that is wrong.</summary>
public sealed class CacheOptionsValidator : IValidateOptions<CacheOptions>
{
    public ValidateOptionsResult Validate(string? name, CacheOptions options)
    {
        var failures = new List<string>();
        if (options.Ttl <= TimeSpan.Zero || options.Ttl > TimeSpan.FromDays(365))
        {
            failures.Add($"ImageOrleans:Cache:Ttl must be more than zero and at most 365 days, not {options.Ttl}.");
        }

        if (options.SweepInterval < TimeSpan.FromMinutes(1) || options.SweepInterval > TimeSpan.FromDays(1))
        {
            failures.Add($"ImageOrleans:Cache:SweepInterval must be between 00:01:00 and 1.00:00:00, not {options.SweepInterval}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
