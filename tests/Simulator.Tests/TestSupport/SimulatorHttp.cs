using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace ImageOrleans.Simulator.Tests.TestSupport;

/// <summary>Builds OpenAI-shaped requests against a simulator and reads its answers.</summary>
internal static class SimulatorHttp
{
    public static Task<HttpResponseMessage> GenerateAsync(
        this HttpClient client,
        string? apiKey,
        string prompt = "a lighthouse at dusk",
        int n = 1,
        string? model = "gpt-image-1",
        string? responseFormat = "b64_json",
        CancellationToken cancellationToken = default)
    {
        var body = new JsonObject { ["prompt"] = prompt, ["n"] = n };
        if (model is not null)
        {
            body["model"] = model;
        }

        if (responseFormat is not null)
        {
            body["response_format"] = responseFormat;
        }

        return client.PostRawAsync("v1/images/generations", apiKey, body.ToJsonString(), cancellationToken);
    }

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string path, string? apiKey, string json, CancellationToken cancellationToken = default)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        if (apiKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client.SendAsync(request, cancellationToken);
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Reads {"error":{...}} and checks that all four OpenAI fields are present.</summary>
    public static async Task<JsonElement> ReadErrorAsync(this HttpResponseMessage response)
    {
        var root = await response.ReadJsonAsync();
        var error = root.GetProperty("error");
        foreach (var field in new[] { "message", "type", "param", "code" })
        {
            Assert.True(error.TryGetProperty(field, out _), $"error.{field} is missing from {root}");
        }

        return error;
    }

    public static string? Header(this HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;

    public static string? NullableString(this JsonElement element, string property) =>
        element.GetProperty(property).ValueKind == JsonValueKind.Null ? null : element.GetProperty(property).GetString();
}
