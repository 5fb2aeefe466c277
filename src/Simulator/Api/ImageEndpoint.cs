namespace ImageOrleans.Simulator.Api;

/// <summary>Which Images route a request came in on.</summary>
internal enum ImageEndpoint
{
    Generations,
    Edits,
    Variations,
}
