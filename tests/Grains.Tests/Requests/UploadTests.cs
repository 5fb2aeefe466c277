using System.Buffers.Binary;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;

namespace ImageOrleans.Grains.Tests.Requests;

public sealed class UploadTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "io-uploads-" + Guid.NewGuid().ToString("N"));
    private readonly UploadStore _store;

    public UploadTests() => _store = new UploadStore(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>A PNG header (signature + IHDR) followed by filler: enough for the header reader, as a real file starts.</summary>
    private static byte[] Png(int width, int height, byte colorType, int filler = 100)
    {
        var bytes = new byte[33 + filler];
        new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, (byte)'I', (byte)'H', (byte)'D', (byte)'R' }.CopyTo(bytes, 0);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(20), height);
        bytes[24] = 8;
        bytes[25] = colorType;
        "IDAT"u8.CopyTo(bytes.AsSpan(37));
        return bytes;
    }

    [Fact]
    public async Task A_stored_upload_keeps_its_hash_size_dimensions_and_alpha()
    {
        var png = Png(640, 480, colorType: 6);

        var image = await _store.SaveAsync(new MemoryStream(png), "../../etc/My Photo!.png", maxBytes: 1024, CancellationToken.None);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(png)), image.Sha256);
        Assert.Equal((640, 480, true, "image/png", (long)png.Length), (image.Width, image.Height, image.HasAlpha, image.ContentType, image.Length));
        Assert.Equal("MyPhoto.png", image.FileName);
        using var read = _store.OpenRead(image)!;
        Assert.Equal(png.Length, read.Length);
    }

    [Fact]
    public async Task An_upload_past_its_limit_is_refused_and_leaves_no_file()
    {
        await Assert.ThrowsAsync<UploadTooLargeException>(() => _store.SaveAsync(new MemoryStream(Png(8, 8, 2, filler: 5000)), "big.png", maxBytes: 1000, CancellationToken.None));

        Assert.Empty(Directory.EnumerateFiles(_root));
    }

    [Fact]
    public async Task A_mask_must_have_alpha_and_the_first_images_size()
    {
        var spec = ModelCatalogue.BuiltIn()["gpt-image-2.6-flare"];
        var photo = await _store.SaveAsync(new MemoryStream(Png(64, 64, 2)), "a.png", 1024, CancellationToken.None);
        var opaque = await _store.SaveAsync(new MemoryStream(Png(64, 64, 2)), "m.png", 1024, CancellationToken.None);
        var small = await _store.SaveAsync(new MemoryStream(Png(32, 64, 6)), "m.png", 1024, CancellationToken.None);
        var good = await _store.SaveAsync(new MemoryStream(Png(64, 64, 6)), "m.png", 1024, CancellationToken.None);

        Assert.Equal(("mask", "invalid_mask"), Param(InputImageRules.Check(spec, "gpt-image-2.6-flare", ImageOperation.Edit, [photo], opaque, null)));
        Assert.Equal(("mask", "invalid_mask"), Param(InputImageRules.Check(spec, "gpt-image-2.6-flare", ImageOperation.Edit, [photo], small, null)));
        Assert.Null(InputImageRules.Check(spec, "gpt-image-2.6-flare", ImageOperation.Edit, [photo], good, "high"));
        Assert.Equal(("input_fidelity", "unsupported_parameter"),
            Param(InputImageRules.Check(ModelCatalogue.BuiltIn()["gpt-image-1-mini"], "gpt-image-1-mini", ImageOperation.Edit, [photo], null, "high")));
        Assert.Equal(("image", "too_many_images"),
            Param(InputImageRules.Check(spec, "gpt-image-2.6-flare", ImageOperation.Edit, Enumerable.Repeat(photo, 17).ToList(), null, null)));
        Assert.Equal(404, InputImageRules.Check(spec, "gpt-image-2.6-flare", ImageOperation.Variation, [photo], null, null)!.Status);
    }

    [Fact]
    public async Task Every_attempt_gets_a_fresh_multipart_body_with_real_file_parts()
    {
        var first = await _store.SaveAsync(new MemoryStream(Png(16, 16, 2)), "one.png", 1024, CancellationToken.None);
        var second = await _store.SaveAsync(new MemoryStream(Png(16, 16, 2, filler: 9)), "two.png", 1024, CancellationToken.None);
        var mask = await _store.SaveAsync(new MemoryStream(Png(16, 16, 6)), "mask.png", 1024, CancellationToken.None);
        var request = new ImageRequest
        {
            Model = "gpt-image-2.6-flare", Prompt = "edit", Operation = ImageOperation.Edit, Images = [first, second], Mask = mask, AlwaysBase64 = true,
        };

        for (var attempt = 0; attempt < 2; attempt++)
        {
            using var content = Assert.IsType<MultipartFormDataContent>(UpstreamContent.Create(request, includeModel: true, _store));
            var parts = content.ToList();
            var files = parts.Where(p => p.Headers.ContentDisposition!.FileName is not null).ToList();
            Assert.Equal(
                ["form-data; name=\"image[]\"; filename=\"one.png\"", "form-data; name=\"image[]\"; filename=\"two.png\"", "form-data; name=\"mask\"; filename=\"mask.png\""],
                files.Select(p => p.Headers.ContentDisposition!.ToString()));
            Assert.All(files, p => Assert.Equal(new MediaTypeHeaderValue("image/png"), p.Headers.ContentType));
            Assert.Equal(first.Sha256, Convert.ToHexStringLower(SHA256.HashData(await files[0].ReadAsByteArrayAsync())));
            Assert.DoesNotContain(parts, p => p.Headers.ContentDisposition!.ToString().Contains("response_format", StringComparison.Ordinal));
        }

        Assert.Equal("images/edits", UpstreamContent.PathFor(request));
        _store.Delete([first]);
        Assert.Null(UpstreamContent.Create(request, includeModel: true, _store));
    }

    private static (string?, string?) Param(ImageOrleans.Grains.Errors.GatewayError? error) => (error?.Param, error?.Code);
}
