namespace ImageOrleans.Grains.ClientKeys;

/// <summary>Asks a key whether a request may run: quota, concurrency and budget.</summary>
[GenerateSerializer, Immutable, Alias("io.AdmissionRequest")]
public sealed record AdmissionRequest
{
    [Id(0)] public required string Model { get; init; }
    [Id(1)] public int Images { get; init; } = 1;

    /// <summary>The requested quality first, then cheaper ones the budget policy may fall back to.</summary>
    [Id(2)] public IReadOnlyList<CostOption> Options { get; init; } = [];

    /// <summary>When an unsettled reservation is given up (the front door that made it went away).</summary>
    [Id(3)] public DateTimeOffset ReservationExpires { get; init; }
}
