namespace ImageOrleans.Grains.Requests;

/// <summary>The fields of an images request as the client sent them, types checked, values not yet validated.</summary>
public sealed record ImageRequestInput
{
    public string? Model { get; init; }
    public string? Prompt { get; init; }
    public int? N { get; init; }
    public string? Size { get; init; }
    public string? Quality { get; init; }
    public string? Background { get; init; }
    public string? OutputFormat { get; init; }
    public int? OutputCompression { get; init; }
    public string? Moderation { get; init; }
    public string? ResponseFormat { get; init; }
    public string? Style { get; init; }
    public string? User { get; init; }
    public bool Stream { get; init; }
    public int? PartialImages { get; init; }
    public string? InputFidelity { get; init; }
}
