namespace ImageOrleans.Grains.Pool;

/// <summary>How an upstream account is reached.</summary>
[GenerateSerializer]
public enum UpstreamKind
{
    /// <summary>api.openai.com with an organisation or project key (<c>Authorization: Bearer</c>).</summary>
    OpenAI,

    /// <summary>An Azure OpenAI resource: <c>api-key</c> header and per-model deployments.</summary>
    AzureOpenAI,

    /// <summary>Any OpenAI-compatible images endpoint at a configured base URL.</summary>
    Compatible,

    /// <summary>The built-in simulator (embedded in the silo unless a base URL is given).</summary>
    Simulated,
}
