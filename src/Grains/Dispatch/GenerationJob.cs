using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Dispatch;

/// <summary>One accepted generation request on its way through cache, queue and dispatcher.</summary>
[GenerateSerializer, Immutable, Alias("io.GenerationJob")]
public sealed record GenerationJob
{
    [Id(0)] public required string RequestId { get; init; }
    [Id(1)] public required string ClientKeyId { get; init; }
    [Id(2)] public required string Tenant { get; init; }
    [Id(3)] public RequestPriority Priority { get; init; } = RequestPriority.Normal;
    [Id(4)] public required ImageRequest Request { get; init; }

    /// <summary>After this the request is answered with a timeout rather than kept waiting for capacity.</summary>
    [Id(5)] public required DateTimeOffset Deadline { get; init; }

    [Id(6)] public DateTimeOffset AcceptedAt { get; init; }

    /// <summary>Share of capacity this key gets against others in its priority class.</summary>
    [Id(7)] public double Weight { get; init; } = 1.0;

    /// <summary>
    /// The key's budget reservation for this request; settled by whichever grain decides the request's
    /// fate (see <see cref="ClientKeys.SettlementBook"/>). None for work the key did not reserve for.
    /// </summary>
    [Id(8)] public Guid? ReservationId { get; init; }

    /// <summary>The side of its model's canary split the dispatcher gave this request; null without a split.</summary>
    [Id(9)] public CanaryRoute? Route { get; init; }

    /// <summary>
    /// The caller answers with the images' bytes (<c>b64_json</c>) and stores them itself, behind its answer:
    /// the dispatcher hands the bytes back in <see cref="GenerationReply.Contents"/> instead of writing them first.
    /// </summary>
    [Id(10)] public bool StoreBehind { get; init; }

    /// <summary>
    /// The answer this silo's front door sends for this job (<see cref="Images.AnswersBeingSent"/>): its images
    /// are stored once it is out. Empty when no answer is sent from here; a silo that does not send it stores them at once.
    /// </summary>
    [Id(11)] public Guid AnswerId { get; init; }
}
