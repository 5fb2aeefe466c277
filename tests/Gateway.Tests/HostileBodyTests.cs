using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using ImageOrleans.Gateway.Tests.Infrastructure;

namespace ImageOrleans.Gateway.Tests;

/// <summary>Bytes that are not the JSON we asked for get an OpenAI-shaped 4xx naming the field, never a 500.</summary>
public sealed class HostileBodyTests(AdminGatewayFixture gateway) : IClassFixture<AdminGatewayFixture>
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    public static TheoryData<string, string, string?> ClientBodies => new()
    {
        // body (\xFF stands for the single byte 0xFF), code, param
        { "{\"prompt\":\"\\xFF\"}", "invalid_encoding", "prompt" },
        { "{\"prompt\":\"ok \\xC3\\x28 then\"}", "invalid_encoding", "prompt" },
        { "{\"prompt\":\"\\ud800\"}", "invalid_encoding", "prompt" },
        { "{\"prompt\":\"x\\udc00y\"}", "invalid_encoding", "prompt" },
        { "{\"user\":\"\\ud83d\",\"prompt\":\"x\"}", "invalid_encoding", "user" },
        { "{\"pro\\xFFmpt\":\"x\"}", "invalid_encoding", null },
        { "{\"\\ud800\":\"x\"}", "invalid_encoding", null },
        { "{\"prompt\":\"x\",\"prompt\":\"y\"}", "duplicate_parameter", "prompt" },
        { "{\"prompt\":\"x\",\"n\":1e400}", "integer_out_of_range", "n" },
        { "{\"prompt\":\"x\",\"n\":99999999999999999999}", "integer_out_of_range", "n" },
        { "{\"prompt\":\"x\",\"n\":-1}", "integer_below_min_value", "n" },
        { "{\"prompt\":\"x\",\"n\":1.5}", "invalid_type", "n" },
        { "{\"prompt\":\"x\",\"n\":[1]}", "invalid_type", "n" },
        { "{\"prompt\":{\"text\":\"x\"}}", "invalid_type", "prompt" },
        { "{\"prompt\":\"x\",\"stream\":\"yes\"}", "invalid_type", "stream" },
        { "{\"prompt\":\"x\",\"user\":" + new string('[', 200) + new string(']', 200) + "}", "invalid_json", null },
        { "{\"prompt\":\"trunc", "invalid_json", null },
        { "[\"prompt\"]", "invalid_json", null },
        { "", "invalid_json", null },
        { "   \r\n ", "invalid_json", null },
        { "\\xFF\\xFE{}", "invalid_json", null },
        { "{\"prompt\":\"x\",\"\":1}", "unknown_parameter", "" },
    };

    [Theory]
    [MemberData(nameof(ClientBodies))]
    public async Task Malformed_generation_bodies_get_a_4xx_naming_the_field(string body, string code, string? param)
    {
        using var http = gateway.Http();

        using var response = await http.PostAsync("/v1/images/generations", Bytes(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    [Fact]
    public async Task A_body_that_is_not_json_says_where_it_broke()
    {
        using var http = gateway.Http();

        using var response = await http.PostAsync("/v1/images/generations", Bytes("{\n  \"prompt\": \"x\",\n  oops\n}"));

        var message = (await ErrorOf(response)).GetProperty("message").GetString()!;
        Assert.Contains("line 3", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_byte_order_mark_before_the_json_is_accepted()
    {
        using var http = gateway.Http();
        using var content = new ByteArrayContent([.. Utf8Bom, .. "{\"prompt\":\"bom test\",\"quality\":\"low\"}"u8]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await http.PostAsync("/v1/images/generations", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("application/json; charset=latin1")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("json")]
    public async Task A_body_in_another_type_or_charset_is_a_415(string contentType)
    {
        using var http = gateway.Http();
        using var content = new ByteArrayContent("{\"prompt\":\"x\"}"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        using var response = await http.PostAsync("/v1/images/generations", content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("unsupported_media_type", (await ErrorOf(response)).GetProperty("code").GetString());
    }

    public static TheoryData<string, string, string, string?> AdminBodies => new()
    {
        // path, body, code, param
        { "/admin/keys", "{\"name\":\"\\xFF\"}", "invalid_encoding", "name" },
        { "/admin/keys", "{\"name\":\"\\ud800\"}", "invalid_encoding", "name" },
        { "/admin/keys", "{\"name\":\"a\",\"name\":\"b\"}", "duplicate_parameter", "name" },
        { "/admin/keys", "{\"\\xC0\\xAF\":1}", "invalid_encoding", null },
        { "/admin/keys", "{\"requests_per_minute\":1e400}", "invalid_value", "requests_per_minute" },
        { "/admin/keys", "{\"requests_per_minute\":99999999999999999999}", "invalid_value", "requests_per_minute" },
        { "/admin/keys", "{\"requests_per_minute\":2.5}", "invalid_type", "requests_per_minute" },
        { "/admin/keys", "{\"daily_budget_usd\":1e400}", "number_out_of_range", "daily_budget_usd" },
        { "/admin/keys", "{\"requests_per_minute\":2.0,\"priority\":\"urgent\"}", "invalid_value", "priority" },
        { "/admin/keys", "{\"name\":" + new string('[', 100) + new string(']', 100) + "}", "invalid_json", null },
        { "/admin/keys", "{\"name\":", "invalid_json", null },
        { "/admin/accounts", "{\"id\":\"x\",\"models\":[\"a\",\"\\udfff\"]}", "invalid_encoding", "models[1]" },
        { "/admin/accounts", "{\"id\":\"x\",\"deployments\":{\"A\":\"1\",\"a\":\"2\"},\"models\":[\"m\"]}", "duplicate_parameter", "deployments" },
        { "/admin/accounts", "{\"id\":\"x\",\"deployments\":{\"m\":\"\\ud800\"},\"models\":[\"m\"]}", "invalid_encoding", "deployments.m" },
        { "/admin/accounts", "{\"id\":\"x\",\"max_concurrency\":-99999999999999999999,\"models\":[\"m\"]}", "invalid_value", "max_concurrency" },
    };

    [Theory]
    [MemberData(nameof(AdminBodies))]
    public async Task Malformed_admin_bodies_get_a_4xx_naming_the_field(string path, string body, string code, string? param)
    {
        using var admin = gateway.Admin();

        using var response = await admin.PostAsync(path, Bytes(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = await ErrorOf(response);
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
    }

    /// <summary>The body as bytes, where <c>\xHH</c> stands for one raw byte (so invalid UTF-8 can be written down).</summary>
    private static ByteArrayContent Bytes(string body)
    {
        var bytes = new List<byte>();
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '\\' && i + 3 < body.Length && body[i + 1] == 'x')
            {
                bytes.Add(Convert.ToByte(body.Substring(i + 2, 2), 16));
                i += 3;
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(body[i].ToString()));
            }
        }

        var content = new ByteArrayContent([.. bytes]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var json = await response.Content.ReadFromJsonAsync<JsonElement>();
        var error = json.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("type").GetString()));
        Assert.True(error.TryGetProperty("param", out _));
        Assert.True(error.TryGetProperty("code", out _));
        return error;
    }
}
