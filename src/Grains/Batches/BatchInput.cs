namespace ImageOrleans.Grains.Batches;

/// <summary>A batch input file read line by line: its request lines, or why the file as a whole is refused.</summary>
public sealed record BatchInput(IReadOnlyList<BatchInputLine> Lines, IReadOnlyList<BatchError> Errors)
{
    public bool IsValid => Errors.Count == 0;
}
