namespace ImageOrleans.Grains.Batches;

/// <summary>One request line of a batch input file: its 1-based line number, <c>custom_id</c> and the request body's JSON.</summary>
public sealed record BatchInputLine(int Line, string CustomId, ReadOnlyMemory<byte> Body);
