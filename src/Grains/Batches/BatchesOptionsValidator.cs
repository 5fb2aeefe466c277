using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Batches;

/// <summary>Refuses batch settings that could not work, naming the setting.</summary>
public sealed class BatchesOptionsValidator : IValidateOptions<BatchesOptions>
{
    public ValidateOptionsResult Validate(string? name, BatchesOptions options)
    {
        const string Prefix = "ImageOrleans:Batches:";
        List<string> problems = [];
        if (options.MaxFileBytes is < 1024 or > 100 * 1024 * 1024)
        {
            problems.Add($"{Prefix}MaxFileBytes must be between 1 KiB and 100 MiB.");
        }

        if (options.MaxItems is < 1 or > 1_000_000)
        {
            problems.Add($"{Prefix}MaxItems must be between 1 and 1000000.");
        }

        if (options.ChunkSize is < 1 or > 1000)
        {
            problems.Add($"{Prefix}ChunkSize must be between 1 and 1000.");
        }

        if (options.MaxInFlight is < 1 or > 10_000)
        {
            problems.Add($"{Prefix}MaxInFlight must be between 1 and 10000.");
        }

        if (options.ResumeInterval < TimeSpan.FromSeconds(1) || options.ResumeInterval > TimeSpan.FromMinutes(10))
        {
            problems.Add($"{Prefix}ResumeInterval must be between 1 second and 10 minutes.");
        }

        if (options.RetryDelay <= TimeSpan.Zero || options.RetryDelay > TimeSpan.FromMinutes(1))
        {
            problems.Add($"{Prefix}RetryDelay must be more than 0 and at most a minute.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
