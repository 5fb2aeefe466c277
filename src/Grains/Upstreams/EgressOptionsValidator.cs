using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>
/// Refuses to start when a configured account's base URL or a configured key's webhook URL names a
/// host the egress rules refuse, naming the setting.
/// </summary>
public sealed class EgressOptionsValidator(IOptions<UpstreamsOptions> upstreams) : IValidateOptions<ImageOrleansOptions>
{
    public ValidateOptionsResult Validate(string? name, ImageOrleansOptions options)
    {
        var rules = new EgressRules(upstreams.Value.AllowedHosts);
        var problems = new List<string>();
        foreach (var (id, account) in options.Accounts)
        {
            var url = !string.IsNullOrWhiteSpace(account.BaseUrl) ? account.BaseUrl
                : account.Kind == UpstreamKind.OpenAI ? OpenAIUpstreamClient.DefaultBaseUrl.ToString()
                : null;
            Check(rules, url, $"{ImageOrleansOptions.SectionName}:Accounts:{id}:BaseUrl", problems);
        }

        foreach (var (id, key) in options.ClientKeys)
        {
            Check(rules, key.WebhookUrl, $"{ImageOrleansOptions.SectionName}:ClientKeys:{id}:WebhookUrl", problems);
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static void Check(EgressRules rules, string? url, string setting, List<string> problems)
    {
        if (url is not null && Uri.TryCreate(url, UriKind.Absolute, out var uri) && rules.Refusal(uri) is { } refusal)
        {
            problems.Add($"{setting}: {refusal}");
        }
    }
}
