using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>Checks the embedded simulator's pool settings (<c>ImageOrleans:Simulator</c>) at start-up.</summary>
public sealed class EmbeddedSimulatorOptionsValidator : IValidateOptions<EmbeddedSimulatorOptions>
{
    private const string Section = "ImageOrleans:Simulator";

    public ValidateOptionsResult Validate(string? name, EmbeddedSimulatorOptions options)
    {
        var failures = new List<string>();
        if (options.Accounts is < 1 or > 1000)
        {
            failures.Add($"{Section}:Accounts must be between 1 and 1000, not {options.Accounts}.");
        }

        foreach (var (setting, value) in new[]
        {
            ("RequestsPerMinute", options.RequestsPerMinute),
            ("ImagesPerMinute", options.ImagesPerMinute),
            ("MaxConcurrency", options.MaxConcurrency),
        })
        {
            if (value < 1)
            {
                failures.Add($"{Section}:{setting} must be at least 1, not {value}.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
