using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Telemetry;

namespace ImageOrleans.Grains.Upstreams;

/// <summary>Picks the client implementation for an account's kind, each one metered and traced.</summary>
public sealed class UpstreamClients(
    OpenAIUpstreamClient openAI,
    AzureOpenAIUpstreamClient azure,
    CompatibleUpstreamClient compatible,
    ImageOrleansMetrics metrics)
{
    private readonly MeteredUpstreamClient _openAI = new(openAI, metrics);
    private readonly MeteredUpstreamClient _azure = new(azure, metrics);
    private readonly MeteredUpstreamClient _compatible = new(compatible, metrics);

    public IUpstreamClient For(UpstreamKind kind) => kind switch
    {
        UpstreamKind.OpenAI => _openAI,
        UpstreamKind.AzureOpenAI => _azure,
        UpstreamKind.Compatible or UpstreamKind.Simulated => _compatible,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown upstream kind."),
    };
}
