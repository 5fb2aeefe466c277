using ImageOrleans.Grains.Errors;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>The end of a generation: a result or an error, never neither.</summary>
[GenerateSerializer, Immutable, Alias("io.GenerationReply")]
public sealed record GenerationReply
{
    [Id(0)] public GenerationResult? Result { get; init; }
    [Id(1)] public GatewayError? Error { get; init; }
    [Id(2)] public CacheStatus Cache { get; init; }

    /// <summary>Time spent waiting for pool capacity before the upstream call.</summary>
    [Id(3)] public TimeSpan QueueWait { get; init; }

    public static GenerationReply Success(GenerationResult result, TimeSpan queueWait = default) =>
        new() { Result = result, QueueWait = queueWait };

    public static GenerationReply Failure(GatewayError error, TimeSpan queueWait = default) =>
        new() { Error = error, QueueWait = queueWait };
}
