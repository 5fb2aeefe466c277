using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Models;

/// <summary>Every alias names acceptable models, splits 100 % in whole percentages, and points at real models, never at another alias.</summary>
public sealed class ModelAliasOptionsValidator : IValidateOptions<ModelAliasOptions>
{
    public ValidateOptionsResult Validate(string? name, ModelAliasOptions options)
    {
        var failures = new List<string>();
        foreach (var (alias, targets) in options.Aliases)
        {
            var setting = $"ImageOrleans:Models:Aliases:{alias}";
            if (!ModelNames.IsAcceptable(alias))
            {
                failures.Add($"{setting}: an alias must be 1 to {ModelNames.MaxLength} visible ASCII characters without '|'.");
                continue;
            }

            if (targets is null || targets.Count == 0)
            {
                failures.Add($"{setting}: name at least one target model with a percentage, e.g. {{\"gpt-image-2.6-sunburst\": 100}}.");
                continue;
            }

            foreach (var (target, weight) in targets)
            {
                if (!ModelNames.IsAcceptable(target))
                {
                    failures.Add($"{setting}: the target '{target}' is not an acceptable model name.");
                }
                else if (string.Equals(target, alias, StringComparison.OrdinalIgnoreCase) || options.Aliases.ContainsKey(target))
                {
                    failures.Add($"{setting}: the target '{target}' is itself an alias; point at the model that runs.");
                }

                if (weight is < 1 or > 100)
                {
                    failures.Add($"{setting}:{target}: a share is a whole percentage from 1 to 100, got {weight}.");
                }
            }

            var total = targets.Values.Sum(w => (long)w);
            if (total != 100)
            {
                failures.Add($"{setting}: the shares add up to {total} %, not 100 %.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
