namespace ImageOrleans.Grains.Models;

/// <summary>
/// What one image model accepts. Held as data (built-in defaults, overridable per model in
/// configuration) because providers add and retire image models every few months.
/// </summary>
public sealed class ModelSpec
{
    /// <summary>Fixed sizes, "auto" included where the model accepts it.</summary>
    public List<string> Sizes { get; set; } = [];

    /// <summary>When set, any W×H obeying the rule is accepted in addition to <see cref="Sizes"/>.</summary>
    public FlexibleSizeRule? FlexibleSize { get; set; }

    public List<string> Qualities { get; set; } = [];
    public List<string> Styles { get; set; } = [];
    public List<string> Backgrounds { get; set; } = [];
    public List<string> OutputFormats { get; set; } = [];
    public List<string> Moderations { get; set; } = [];

    /// <summary>Values of <c>input_fidelity</c> on edits; empty where the model does not take the parameter.</summary>
    public List<string> InputFidelities { get; set; } = [];

    public bool SupportsOutputCompression { get; set; }
    public int MaxN { get; set; } = 10;
    public int MaxPromptLength { get; set; } = 32_000;
    public string? DefaultSize { get; set; }
    public string? DefaultQuality { get; set; }
    public string? DefaultStyle { get; set; }

    /// <summary>
    /// The model only ever answers with base64 and rejects <c>response_format</c>: the gateway never
    /// forwards that field and serves URLs from its own image store instead.
    /// </summary>
    public bool AlwaysBase64 { get; set; }

    /// <summary>The model serves <c>POST /v1/images/edits</c>.</summary>
    public bool SupportsEdits { get; set; }

    /// <summary>The model serves <c>POST /v1/images/variations</c>.</summary>
    public bool SupportsVariations { get; set; }

    /// <summary>The model streams partial images (<c>stream</c>, <c>partial_images</c>).</summary>
    public bool SupportsStreaming { get; set; }

    /// <summary>How many input images one edit may carry.</summary>
    public int MaxInputImages { get; set; } = 1;

    /// <summary>The day the provider shut (or shuts) the model down; null while none is announced.</summary>
    public DateOnly? ShutdownDate { get; set; }

    /// <summary>The model the provider recommends instead, named in errors and deprecation headers.</summary>
    public string? Successor { get; set; }

    /// <summary>Shut down on or before <paramref name="today"/>: requests need an alias or an account that still lists it.</summary>
    public bool IsRetired(DateOnly today) => ShutdownDate is { } shutdown && shutdown <= today;
}
