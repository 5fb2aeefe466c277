using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Silo.Api;

/// <summary>A JSON edit once read: its request fields and its images (and mask) brought into the upload store.</summary>
public sealed record JsonEdit(ImageRequestInput Input, IReadOnlyList<InputImage> Images, InputImage? Mask);
