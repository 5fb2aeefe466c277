using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Header bytes no well-behaved client sends still get an OpenAI-shaped 4xx naming the header.</summary>
public sealed class HostileHeaderTests(AdminGatewayFixture gateway) : IClassFixture<AdminGatewayFixture>
{
    private static readonly string[] FormulaModel = ["=1+1"];

    public static TheoryData<string, byte[], int, string?> OddHeaders => new()
    {
        // header, raw value bytes, status, param
        { "x-imageorleans-priority", [0xFF, 0xFE], 400, "x-imageorleans-priority" },
        { "x-imageorleans-priority", "h\u00efgh"u8.ToArray(), 400, "x-imageorleans-priority" },
        { "x-imageorleans-timeout-ms", "\u0663\u0660"u8.ToArray(), 400, "x-imageorleans-timeout-ms" },
        { "x-imageorleans-timeout-ms", "99999999999999999999999"u8.ToArray(), 400, "x-imageorleans-timeout-ms" },
        { "Idempotency-Key", [0xC3, 0x28], 400, "Idempotency-Key" },
        { "Idempotency-Key", "caf\u00e9"u8.ToArray(), 400, "Idempotency-Key" },
        { "Authorization", [.. "Bearer "u8, 0xFF, 0xC0, 0xAF], 401, null },
        { "Authorization", "Bearer sk-\u00e9\u00e9\u00e9"u8.ToArray(), 401, null },
    };

    [Theory]
    [MemberData(nameof(OddHeaders))]
    public async Task Odd_header_bytes_get_an_openai_shaped_error(string header, byte[] value, int status, string? param)
    {
        var (code, body) = await SendRawAsync(header, value);

        Assert.Equal(status, code);
        var error = JsonDocument.Parse(body).RootElement.GetProperty("error");
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }

    [Fact]
    public async Task Csv_cells_that_a_spreadsheet_would_run_are_neutralised()
    {
        using var admin = gateway.Admin();
        using (var account = await admin.PostAsJsonAsync("/admin/accounts", new
        {
            id = "formula-model",
            kind = "simulated",
            api_key = "sim-key-1",
            models = FormulaModel,
        }))
        {
            Assert.Equal(HttpStatusCode.Created, account.StatusCode);
        }

        var (id, secret) = await gateway.CreateKeyAsync(new { id = "-1-1", name = "=HYPERLINK(\"http://evil\")" });
        using var client = gateway.Http(secret);
        using (var generated = await client.PostAsJsonAsync("/v1/images/generations", new { model = "=1+1", prompt = "formula" }))
        {
            Assert.True(generated.StatusCode == HttpStatusCode.OK, await generated.Content.ReadAsStringAsync());
        }

        var csv = await admin.GetStringAsync($"/admin/usage?key_id={id}&format=csv");

        var row = Assert.Single(csv.Trim().Split('\n')[1..]);
        Assert.Equal(["'-1-1", "'=1+1"], row.Split(',')[1..3]);
    }

    private async Task<(int Status, string Body)> SendRawAsync(string header, byte[] value)
    {
        var body = "{\"prompt\":\"raw header\",\"quality\":\"low\"}"u8.ToArray();
        var head = new List<byte>();
        head.AddRange(Encoding.ASCII.GetBytes(
            $"POST /v1/images/generations HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n"));
        if (header != "Authorization")
        {
            head.AddRange(Encoding.ASCII.GetBytes($"Authorization: Bearer {GatewayFactory.KeyA}\r\n"));
        }

        head.AddRange(Encoding.ASCII.GetBytes(header + ": "));
        head.AddRange(value);
        head.AddRange("\r\n\r\n"u8.ToArray());
        head.AddRange(body);

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
        var stream = tcp.GetStream();
        await stream.WriteAsync(head.ToArray());
        using var reader = new MemoryStream();
        await stream.CopyToAsync(reader);
        var text = Encoding.UTF8.GetString(reader.ToArray());
        var status = int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var payload = split < 0 ? string.Empty : text[(split + 4)..];

        // A chunked body: keep the JSON between the first '{' and the last '}'.
        var start = payload.IndexOf('{', StringComparison.Ordinal);
        var end = payload.LastIndexOf('}');
        return (status, start < 0 || end < start ? payload : payload[start..(end + 1)]);
    }
}
