using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;
using Xunit.Abstractions;

namespace ImageOrleans.Gateway.Tests;

/// <summary>A gateway of its own for the fuzz test, so what a lucky valid admin request changes stays here.</summary>
public sealed class FuzzGatewayFixture : AdminGatewayFixture;

/// <summary>
/// Seeded random malformed requests (bytes, not just fields) against the front door and the admin API:
/// none may answer 5xx, and every 4xx must be an OpenAI-shaped error.
/// </summary>
public sealed class FuzzTests(FuzzGatewayFixture gateway, ITestOutputHelper output) : IClassFixture<FuzzGatewayFixture>
{
    private const int Seed = 20_261_201;
    private const int Cases = 10_000;
    private const int Workers = 4;

    private static readonly HttpRequestOptionsKey<bool> RawBytes = new("fuzz-latin1-headers");

    private static readonly string[] ClientSeeds =
    [
        """{"model":"no-such-model","prompt":"a red fox in snow","n":1,"size":"1024x1024","quality":"low","user":"u-1"}""",
        """{"model":"dall-e-3","prompt":"x","n":2,"style":"vivid","response_format":"url"}""",
        """{"model":"gpt-image-2.6-flare","prompt":"fuzz","n":0,"background":"transparent","output_format":"jpeg","output_compression":101}""",
        """{"model":"flux-unknown","prompt":"p","stream":false,"partial_images":0,"moderation":"low"}""",
    ];

    private static readonly string[] KeySeeds =
    [
        """{"name":"fuzz","requests_per_minute":5,"daily_budget_usd":1.5,"allowed_models":["gpt-image-2.6-flare"],"priority":"low","alert_thresholds":[50,80]}""",
        """{"id":"fz-key","weight":2.5,"max_wait_ms":1000,"cache":"tenant","webhook_url":"http://127.0.0.1:9/x","budget_policy":"downgrade"}""",
    ];

    private static readonly string[] AccountSeeds =
    [
        """{"id":"fz-acct","kind":"simulated","models":["fuzz-model"],"requests_per_minute":5,"images_per_minute":5,"weight":1.0,"price_factor":0.5}""",
        """{"id":"fz-azure","kind":"azure_openai","base_url":"http://127.0.0.1:9/","api_key":"k","deployments":{"gpt-image-2.6-flare":"d"},"models":["gpt-image-2.6-flare"],"timeout_seconds":30,"enabled":false}""",
    ];

    private static readonly string[] Numbers = ["1e400", "-1e400", "99999999999999999999", "-99999999999999999999", "1.5", "-0", "1e-400", "0.0000001", "2147483648", "-2147483649", "9223372036854775808"];

    private static readonly string[] Values = ["[]", "{}", "true", "false", "null", "123", "\"\"", "\"\\ud800\"", "\"\\udc00x\"", "[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]", "\"" + new string('z', 5000) + "\""];

    private static readonly byte[][] BadUtf8 = [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80], [0xC3], [0xE2, 0x82], [0xF4, 0x90, 0x80, 0x80], [0xFE, 0xFF], [0xEF, 0xBB, 0xBF]];

    private static readonly string[] ContentTypes =
    [
        "application/json", "application/json", "application/json", "application/json; charset=utf-8", "text/plain", "application/json; charset=latin1",
        "application/json; charset=\"utf-8\"", "*/*", "application/jsonx", "application/problem+json", "multipart/form-data; boundary=x", "application/json; charset=",
    ];

    private static readonly string[] Odd = ["", " ", "high", "LOW", "normal", "batch", "hïgh", "\u202ehigh", "😀", "-1", "0", "1e9", "99999999999999999999999", "١٢٣", "abc", "\t", "ä\u00ffß", "\u0085", "\u00ff\u00fe", "\u00c3\u0028", "\u00ed\u00a0\u0080", "%00", "\"quoted\"", new string('x', 300)];

    [Fact]
    public async Task Ten_thousand_malformed_requests_get_4xx_never_5xx()
    {
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fuzz seed {Seed}, {Cases} cases, {Workers} connections"));
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Workers,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),

            // Non-ASCII header values go out as UTF-8, or for some cases as single bytes (invalid UTF-8).
            RequestHeaderEncodingSelector = (_, request) =>
                request is not null && request.Options.TryGetValue(RawBytes, out var raw) && raw ? Encoding.Latin1 : Encoding.UTF8,
        };
        using var http = new HttpClient(handler) { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromMinutes(1) };
        // The targets of the PATCH cases exist, so their bodies are read rather than refused with a 404.
        using (var created = await http.SendAsync(Admin(HttpMethod.Post, "/admin/keys", """{"id":"fz-target","name":"fuzz target"}""")))
        {
            Assert.Equal(201, (int)created.StatusCode);
        }

        using (var created = await http.SendAsync(Admin(HttpMethod.Post, "/admin/accounts", """{"id":"fz-acct","kind":"simulated","models":["fuzz-model"],"enabled":false}""")))
        {
            Assert.Equal(201, (int)created.StatusCode);
        }

        var statuses = new ConcurrentDictionary<int, int>();
        var failures = new ConcurrentQueue<string>();
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(Seed + worker);
            int index;
            while ((index = Interlocked.Increment(ref next)) < Cases)
            {
                using var request = NewCase(random, out var described);
                using var response = await http.SendAsync(request);
                var status = (int)response.StatusCode;
                statuses.AddOrUpdate(status, 1, (_, n) => n + 1);
                var body = await response.Content.ReadAsByteArrayAsync();
                if (status >= 500)
                {
                    failures.Enqueue($"case {index}: {status} for {described}: {Encoding.UTF8.GetString(body)}");
                }
                else if (status >= 400 && ShapeProblem(response, body) is { } problem)
                {
                    failures.Enqueue($"case {index}: {status} not OpenAI-shaped ({problem}) for {described}: {Encoding.UTF8.GetString(body)}");
                }
            }
        })));

        var total = statuses.Values.Sum();
        var fourXx = statuses.Where(s => s.Key is >= 400 and < 500).Sum(s => s.Value);
        var twoXx = statuses.Where(s => s.Key is >= 200 and < 300).Sum(s => s.Value);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{total} cases: {fourXx} 4xx, {twoXx} 2xx (valid by chance), {statuses.Where(s => s.Key >= 500).Sum(s => s.Value)} 5xx"));
        output.WriteLine(string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}")));
        foreach (var failure in failures.Take(20))
        {
            output.WriteLine(failure);
        }

        Assert.Equal(Cases, total);
        Assert.True(failures.IsEmpty, $"{failures.Count} of {Cases} cases (seed {Seed}) failed; first: {failures.FirstOrDefault()}");
        Assert.True(fourXx >= Cases * 9 / 10, $"only {fourXx} of {Cases} cases were refused; the generator makes too many valid requests");
    }

    private static HttpRequestMessage NewCase(Random random, out string described)
    {
        var target = random.Next(100);
        var (method, path, seeds) = target switch
        {
            < 55 => (HttpMethod.Post, "/v1/images/generations", ClientSeeds),
            < 67 => (HttpMethod.Post, "/admin/keys", KeySeeds),
            < 78 => (HttpMethod.Patch, "/admin/keys/fz-target", KeySeeds),
            < 89 => (HttpMethod.Post, "/admin/accounts", AccountSeeds),
            _ => (HttpMethod.Patch, "/admin/accounts/fz-acct", AccountSeeds),
        };
        var body = Mutate(random, Encoding.UTF8.GetBytes(seeds[random.Next(seeds.Length)]), out var mutations);
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", random.Next(4) == 0 ? Pick(random, ContentTypes) : "application/json");
        var admin = path.StartsWith("/admin", StringComparison.Ordinal);
        var authorization = admin ? "Bearer " + AdminGatewayFixture.AdminKey : "Bearer " + GatewayFactory.KeyA;
        if (random.Next(10) == 0)
        {
            authorization = random.Next(5) switch
            {
                0 => "Bearer " + Pick(random, Odd),
                1 => "Basic " + Pick(random, Odd),
                2 => authorization + Pick(random, Odd),
                3 => "bearer  " + authorization[7..] + " ",
                _ => Pick(random, Odd),
            };
        }

        request.Headers.TryAddWithoutValidation("Authorization", authorization);
        request.Options.Set(RawBytes, random.Next(3) == 0);
        foreach (var header in new[] { "x-imageorleans-priority", "x-imageorleans-timeout-ms", "Idempotency-Key", "Cache-Control", "x-request-id" })
        {
            if (random.Next(6) == 0)
            {
                request.Headers.TryAddWithoutValidation(header, Pick(random, Odd));
            }
        }

        described = $"{method} {path} [{string.Join(",", mutations)}] {Convert.ToHexString(body.AsSpan(0, Math.Min(body.Length, 96)))}";
        return request;
    }

    private static byte[] Mutate(Random random, byte[] seed, out List<string> applied)
    {
        applied = [];
        var body = new List<byte>(seed);
        var count = 1 + random.Next(3);
        for (var i = 0; i < count; i++)
        {
            var kind = random.Next(10);
            applied.Add(kind.ToString(CultureInfo.InvariantCulture));
            var at = body.Count == 0 ? 0 : random.Next(body.Count);
            switch (kind)
            {
                case 0 when body.Count > 0:
                    body[at] = (byte)random.Next(256);
                    break;
                case 1:
                    body.InsertRange(at, Pick(random, BadUtf8));
                    break;
                case 2:
                    body.RemoveRange(at, body.Count - at);
                    break;
                case 3:
                    body.InsertRange(at, "\\ud800"u8.ToArray());
                    break;
                case 4:
                    ReplaceValue(body, random, IsNumberStart, Pick(random, Numbers));
                    break;
                case 5:
                    ReplaceValue(body, random, b => b == (byte)'"', Pick(random, Values));
                    break;
                case 6:
                    var close = body.LastIndexOf((byte)'}');
                    body.InsertRange(close < 0 ? body.Count : close, Encoding.UTF8.GetBytes(random.Next(2) == 0 ? ",\"prompt\":\"dup\"" : ",\"name\":\"dup\",\"id\":\"d\""));
                    break;
                case 7:
                    body.InsertRange(0, random.Next(3) switch { 0 => [0xEF, 0xBB, 0xBF], 1 => "  \r\n"u8.ToArray(), _ => "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["u8.ToArray() });
                    break;
                case 8:
                    body.Clear();
                    break;
                default:
                    var name = Encoding.UTF8.GetBytes($"\"{Pick(random, Odd).Replace("\"", string.Empty, StringComparison.Ordinal)}\":{Pick(random, Values)},");
                    var open = body.IndexOf((byte)'{');
                    body.InsertRange(open < 0 ? 0 : open + 1, name);
                    break;
            }
        }

        return [.. body];
    }

    /// <summary>Replaces the JSON value that starts at a random position matching <paramref name="isStart"/>.</summary>
    private static void ReplaceValue(List<byte> body, Random random, Func<byte, bool> isStart, string replacement)
    {
        var starts = Enumerable.Range(0, body.Count).Where(i => isStart(body[i]) && i > 0 && body[i - 1] == (byte)':').ToList();
        if (starts.Count == 0)
        {
            return;
        }

        var start = starts[random.Next(starts.Count)];
        var end = start + 1;
        if (body[start] == (byte)'"')
        {
            while (end < body.Count && body[end] != (byte)'"')
            {
                end++;
            }

            end = Math.Min(end + 1, body.Count);
        }
        else
        {
            while (end < body.Count && (IsNumberStart(body[end]) || body[end] is (byte)'.' or (byte)'e' or (byte)'E' or (byte)'+'))
            {
                end++;
            }
        }

        body.RemoveRange(start, end - start);
        body.InsertRange(start, Encoding.UTF8.GetBytes(replacement));
    }

    private static bool IsNumberStart(byte b) => b is (byte)'-' or (>= (byte)'0' and <= (byte)'9');

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private static HttpRequestMessage Admin(HttpMethod method, string path, string json)
    {
        var request = new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AdminGatewayFixture.AdminKey);
        return request;
    }

    /// <summary>Null when the answer is <c>{"error":{"message":string,"type":string,"param":string|null,"code":string|null}}</c>.</summary>
    private static string? ShapeProblem(HttpResponseMessage response, byte[] body)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/json")
        {
            return $"content type {response.Content.Headers.ContentType}";
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return "no error object";
            }

            bool IsText(string name, bool nullable) =>
                error.TryGetProperty(name, out var value) && (value.ValueKind == JsonValueKind.String || (nullable && value.ValueKind == JsonValueKind.Null));
            return IsText("message", false) && IsText("type", false) && IsText("param", true) && IsText("code", true)
                ? null
                : "missing message, type, param or code";
        }
        catch (JsonException ex)
        {
            return "not JSON: " + ex.Message;
        }
    }
}
