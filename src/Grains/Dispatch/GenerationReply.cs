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

    /// <summary>
    /// The images' bytes of a generation made for a <see cref="GenerationJob.StoreBehind"/> job, in the order of
    /// <see cref="GenerationResult.Images"/>, which are not in the store yet; never persisted with the reply.
    /// </summary>
    [Id(4)] public IReadOnlyList<ReadOnlyMemory<byte>>? Contents { get; init; }

    public static GenerationReply Success(GenerationResult result, TimeSpan queueWait = default) =>
        new() { Result = result, QueueWait = queueWait };

    public static GenerationReply Failure(GatewayError error, TimeSpan queueWait = default) =>
        new() { Error = error, QueueWait = queueWait };
}
