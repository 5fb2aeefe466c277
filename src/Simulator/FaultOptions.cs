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

    /// <summary>How long a timeout fault hangs before the connection is dropped.</summary>
    public int HangMs { get; set; } = 600_000;

    internal double TotalRate => ServerErrorRate + TimeoutRate + ResetRate + MalformedRate;

    internal FaultOptions Clone() => new()
    {
        ServerErrorRate = ServerErrorRate,
        TimeoutRate = TimeoutRate,
        ResetRate = ResetRate,
        MalformedRate = MalformedRate,
        HangMs = HangMs,
    };
}
