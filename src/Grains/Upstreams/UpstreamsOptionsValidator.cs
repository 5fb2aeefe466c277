using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Refuses an allow-list entry that is not a host name, an address or a <c>*.domain</c> pattern.</summary>
public sealed class UpstreamsOptionsValidator : IValidateOptions<UpstreamsOptions>
{
    public ValidateOptionsResult Validate(string? name, UpstreamsOptions options)
    {
        var problems = options.AllowedHosts
            .Select((entry, i) => EgressRules.EntryProblem(entry) is { } problem ? $"{EgressRules.Setting}:{i}: {problem}" : null)
            .OfType<string>()
            .ToList();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
