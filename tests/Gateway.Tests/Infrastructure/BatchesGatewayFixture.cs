using System.ClientModel;
using System.ClientModel.Primitives;
using OpenAI;
using OpenAI.Batch;
using OpenAI.Files;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>A gateway for batch tests: the admin API open and batch reminders ticking every second.</summary>
public sealed class BatchesGatewayFixture : AdminGatewayFixture
{
    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("ImageOrleans:Batches:ResumeInterval", "00:00:01"),
        new("ImageOrleans:Batches:RetryDelay", "00:00:00.200"),
        new("ImageOrleans:Batches:ChunkSize", "4"),
    ];

    public OpenAIFileClient FileClient(string key = KeyA) => new(new ApiKeyCredential(key), Options());

    public BatchClient BatchClient(string key = KeyA) => new(new ApiKeyCredential(key), new BatchClientOptions
    {
        Endpoint = ApiBase,
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
    });

    private OpenAIClientOptions Options() => new()
    {
        Endpoint = ApiBase,
        RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
        NetworkTimeout = TimeSpan.FromMinutes(2),
    };
}
