namespace ImageOrleans.Grains.Images;

/// <summary>An image format recognised from its first bytes, because upstreams do not always send what was asked for.</summary>
public sealed record ImageFormat(string Extension, string ContentType)
{
    public static readonly ImageFormat Png = new("png", "image/png");
    public static readonly ImageFormat Jpeg = new("jpeg", "image/jpeg");
    public static readonly ImageFormat Webp = new("webp", "image/webp");
    public static readonly ImageFormat Gif = new("gif", "image/gif");
    public static readonly ImageFormat Unknown = new("bin", "application/octet-stream");

    public static ImageFormat Detect(ReadOnlySpan<byte> content) => content switch
    {
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => Png,
        [0xFF, 0xD8, 0xFF, ..] => Jpeg,
        [0x52, 0x49, 0x46, 0x46, _, _, _, _, 0x57, 0x45, 0x42, 0x50, ..] => Webp,
        [0x47, 0x49, 0x46, 0x38, ..] => Gif,
        _ => Unknown,
    };

    public static ImageFormat FromExtension(string extension) => extension switch
    {
        "png" => Png,
        "jpeg" => Jpeg,
        "webp" => Webp,
        "gif" => Gif,
        _ => Unknown,
    };

    public static ImageFormat FromId(string imageId) => FromExtension(Path.GetExtension(imageId).TrimStart('.'));
}
