using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Silo.Api;
using Microsoft.AspNetCore.Http;

namespace ImageOrleans.Gateway.Tests;

/// <summary>The images answer is written straight to the response: base64 in segments, usage as the upstream sent it.</summary>
public sealed class ImagesResultTests
{
    [Fact]
    public async Task Large_images_are_written_as_base64_in_segments_byte_for_byte_and_the_usage_verbatim()
    {
        // Sizes that are no multiple of a segment or of 3, and one well past the flush threshold.
        var first = Bytes(200_001, seed: 1);
        var second = Bytes(7, seed: 2);
        const string Usage = """{"total_tokens":30,"input_tokens":10,"output_tokens":20,"input_tokens_details":{"text_tokens":10,"image_tokens":0}}""";
        var result = new GenerationResult
        {
            Created = 1_700_000_000,
            Images =
            [
                new GeneratedImage { ImageId = "a.png", ContentType = "image/png", RevisedPrompt = "a fox" },
                new GeneratedImage { ImageId = "b.png", ContentType = "image/png" },
            ],
            AccountId = "acct",
            Usage = ImageUsage.Parse(Usage),
        };
        var http = new DefaultHttpContext();
        using var body = new MemoryStream();
        http.Response.Body = body;

        await new ImagesResult(result, new ImageRequest { Model = "m", Prompt = "p", N = 2 }, [first, second], urls: null).ExecuteAsync(http);
        await http.Response.BodyWriter.FlushAsync();

        var text = Encoding.UTF8.GetString(body.ToArray());
        using var json = JsonDocument.Parse(text);
        var data = json.RootElement.GetProperty("data");
        Assert.Equal(first, data[0].GetProperty("b64_json").GetBytesFromBase64());
        Assert.Equal("a fox", data[0].GetProperty("revised_prompt").GetString());
        Assert.Equal(second, data[1].GetProperty("b64_json").GetBytesFromBase64());
        Assert.EndsWith($",\"usage\":{Usage}}}", text, StringComparison.Ordinal);
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
