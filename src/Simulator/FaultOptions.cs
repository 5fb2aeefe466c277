namespace ImageOrleans.Simulator;

/// <summary>Probabilities (0..1, drawn per request from the seeded random source) of injected upstream faults.</summary>
public sealed class FaultOptions
{
    /// <summary>Answer 500 server_error.</summary>
    public double ServerErrorRate { get; set; }

    /// <summary>Never answer: hang until the client aborts or <see cref="HangMs"/> passes, then drop the connection.</summary>
    public double TimeoutRate { get; set; }

    /// <summary>Abort the TCP connection without a response.</summary>
    public double ResetRate { get; set; }

    /// <summary>Answer 200 with a body that is not valid JSON.</summary>
    public double MalformedRate { get; set; }

    /// <summary>
    /// Answer 200 announcing the whole image response in Content-Length, send half of it, then drop the
    /// connection: the upstream did the work (and would bill it), the client gets a body cut short.
    /// </summary>
    public double TruncatedRate { get; set; }

    /// <summary>Answer 200 at once, then send the body at <see cref="SlowBodyBytesPerSecond"/> (slowloris-like).</summary>
    public double SlowBodyRate { get; set; }

    /// <summary>How fast a slow body trickles out.</summary>
    public int SlowBodyBytesPerSecond { get; set; } = 1;

    /// <summary>How long a timeout fault hangs before the connection is dropped.</summary>
    public int HangMs { get; set; } = 600_000;

    internal double TotalRate => ServerErrorRate + TimeoutRate + ResetRate + MalformedRate + TruncatedRate + SlowBodyRate;

    internal FaultOptions Clone() => new()
    {
        ServerErrorRate = ServerErrorRate,
        TimeoutRate = TimeoutRate,
        ResetRate = ResetRate,
        MalformedRate = MalformedRate,
        TruncatedRate = TruncatedRate,
        SlowBodyRate = SlowBodyRate,
        SlowBodyBytesPerSecond = SlowBodyBytesPerSecond,
        HangMs = HangMs,
    };
}
