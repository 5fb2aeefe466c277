using System.Text;
using ImageOrleans.Silo.Api;
using Microsoft.AspNetCore.Http;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Reading a JSON request body: whole, bounded, and without buffers far larger than the body.</summary>
public sealed class JsonBodyTests
{
    [Fact]
    public async Task A_small_body_of_known_length_is_read_whole_into_a_buffer_of_about_its_size()
    {
        var json = Encoding.UTF8.GetBytes("{\"model\":\"gpt-image-2.6-flare\",\"prompt\":\"" + new string('a', 300) + "\"}");
        var request = Request(json, json.Length);
        await JsonBody.ReadAsync(Request(json, json.Length), 1 << 20);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var (body, error) = await JsonBody.ReadAsync(request, 1 << 20);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Null(error);
        Assert.Equal(json, body.ToArray());

        // The body's own buffer and a little bookkeeping; a 16 KB read buffer per request used to come with it.
        Assert.True(allocated < 4 * 1024, $"reading a {json.Length}-byte body allocated {allocated} bytes");
    }

    [Fact]
    public async Task A_body_of_unknown_length_is_read_whole_and_one_past_the_limit_is_refused()
    {
        var json = Encoding.UTF8.GetBytes("{\"prompt\":\"" + new string('b', 40_000) + "\"}");

        var (body, error) = await JsonBody.ReadAsync(Request(json, length: null), 1 << 20);
        Assert.Null(error);
        Assert.Equal(json, body.ToArray());

        var (_, tooLarge) = await JsonBody.ReadAsync(Request(json, length: null), json.Length - 1);
        Assert.Equal(413, tooLarge?.Status);
    }

    private static HttpRequest Request(byte[] body, long? length)
    {
        var http = new DefaultHttpContext();
        http.Request.ContentType = "application/json";
        http.Request.ContentLength = length;
        http.Request.Body = new MemoryStream(body);
        return http.Request;
    }
}
