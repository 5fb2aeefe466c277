using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Picks the client implementation for an account's kind.</summary>
public sealed class UpstreamClients(
    OpenAIUpstreamClient openAI,
    AzureOpenAIUpstreamClient azure,
    CompatibleUpstreamClient compatible)
{
    public IUpstreamClient For(UpstreamKind kind) => kind switch
    {
        UpstreamKind.OpenAI => openAI,
        UpstreamKind.AzureOpenAI => azure,
        UpstreamKind.Compatible or UpstreamKind.Simulated => compatible,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown upstream kind."),
    };
}
