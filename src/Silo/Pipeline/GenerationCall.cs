using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Auth;

namespace ImageOrleans.Silo.Pipeline;

/// <summary>
/// One generation request as a front door (HTTP or gRPC) hands it to the pipeline: who asks, the parsed
/// body, and the request options as the client sent them (header or metadata values, unchecked).
/// </summary>
public sealed record GenerationCall
{
    public required string RequestId { get; init; }

    public required ClientIdentity Client { get; init; }

    public required ImageRequestInput Input { get; init; }

    /// <summary>The priority class asked for (<c>high</c>, <c>normal</c>, <c>low</c>); null for the key's tier.</summary>
    public string? Priority { get; init; }

    /// <summary>The longest wait for capacity asked for, in milliseconds as text; null for the gateway's limit.</summary>
    public string? TimeoutMs { get; init; }

    /// <summary>A deadline the transport already carries (a gRPC deadline): the wait never passes it.</summary>
    public DateTimeOffset? Deadline { get; init; }

    public string? IdempotencyKey { get; init; }

    /// <summary>The client asked to skip the prompt cache.</summary>
    public bool NoCache { get; init; }

    /// <summary>
    /// The caller hands out links to the images (a scorer, a check), so they are stored before the answer even
    /// for <c>b64_json</c>, which is otherwise written from the upstream's bytes with the images stored behind it.
    /// </summary>
    public bool StoreBeforeAnswer { get; init; }

    /// <summary>Which Images endpoint was called.</summary>
    public ImageOperation Operation { get; init; } = ImageOperation.Generate;

    /// <summary>An edit's or variation's uploaded images, in order.</summary>
    public IReadOnlyList<InputImage> Images { get; init; } = [];

    /// <summary>An edit's mask.</summary>
    public InputImage? Mask { get; init; }

    /// <summary>For a streamed answer: where this silo's upstream attempt relays its events (see <c>StreamRelay</c>).</summary>
    public string? StreamId { get; init; }

    /// <summary>
    /// Registers what is disposed once the answer has been sent (the response completed); null where no
    /// answer is sent (a batch item). Work behind the answer waits for that.
    /// </summary>
    public Action<IDisposable>? OnAnswerSent { get; init; }

    /// <summary>Called once the request is admitted, before it waits for capacity: a stream's headers come from it.</summary>
    public Action<GenerationOutcome>? OnAdmitted { get; init; }
}
