using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace ImageOrleans.Benchmarks;

/// <summary>One low-quality generation through the gateway's HTTP API, recorded as status, error code and latency (-1 when the call itself failed).</summary>
internal static class GenerationProbe
{
    public static async Task SendAsync(HttpClient http, Uri gateway, string clientKey, string prompt, ConcurrentBag<(int Status, string? Code, double Ms)> outcomes)
    {
        var started = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gateway, "v1/images/generations"))
        {
            Content = new StringContent(
                JsonSerializer.Serialize(new { model = "gpt-image-1", prompt, quality = "low" }),
                Encoding.UTF8,
                "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clientKey);
        try
        {
            using var response = await http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            string? code = null;
            if (!response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(body);
                code = json.RootElement.GetProperty("error").GetProperty("code").GetString();
            }

            outcomes.Add(((int)response.StatusCode, code, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException)
        {
            outcomes.Add((-1, ex.GetType().Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds));
        }
    }
}
