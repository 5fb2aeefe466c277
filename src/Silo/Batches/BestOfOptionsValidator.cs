using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Batches;

/// <summary>Refuses a scorer setting that could not work or that the egress policy forbids, naming the setting.</summary>
public sealed class BestOfOptionsValidator(EgressPolicy egress) : IValidateOptions<BestOfOptions>
{
    public ValidateOptionsResult Validate(string? name, BestOfOptions options)
    {
        const string Prefix = "ImageOrleans:BestOf:";
        List<string> problems = [];
        if (options.ScorerUrl is { } url)
        {
            if (!url.IsAbsoluteUri || url.Scheme is not ("http" or "https"))
            {
                problems.Add($"{Prefix}ScorerUrl must be an absolute http or https URL.");
            }
            else if (egress.Refusal(url) is { } refusal)
            {
                problems.Add($"{Prefix}ScorerUrl is not allowed: {refusal}");
            }
        }

        if (options.Timeout <= TimeSpan.Zero || options.Timeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"{Prefix}Timeout must be more than 0 and at most 5 minutes.");
        }

        if (options.Retries is < 0 or > 10)
        {
            problems.Add($"{Prefix}Retries must be between 0 and 10.");
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
