namespace ImageOrleans.Grains.Requests;

/// <summary>A request that passed validation, and how its images go back to the client.</summary>
public sealed record ValidatedImageRequest(ImageRequest Request, ResponseFormat ResponseFormat);
