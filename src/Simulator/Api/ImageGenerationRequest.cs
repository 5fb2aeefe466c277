namespace ImageOrleans.Simulator.Api;

/// <summary>The body of POST /v1/images/generations. Unknown fields are ignored.</summary>
internal sealed class ImageGenerationRequest
{
    public string? Model { get; set; }

    public string? Prompt { get; set; }

    public int? N { get; set; }

    public string? Size { get; set; }

    public string? Quality { get; set; }

    public string? Background { get; set; }

    public string? OutputFormat { get; set; }

    public int? OutputCompression { get; set; }

    public string? Moderation { get; set; }

    public string? ResponseFormat { get; set; }

    public string? Style { get; set; }

    public string? User { get; set; }

    public bool? Stream { get; set; }

    public int? PartialImages { get; set; }
}
