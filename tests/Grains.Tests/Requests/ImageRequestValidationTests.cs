using System.Text;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Tests.Requests;

public sealed class ImageRequestValidationTests
{
    private static readonly HashSet<string> Served = new(ModelCatalogue.BuiltIn().Keys.Append("flux-pro"), StringComparer.OrdinalIgnoreCase);
    private static readonly ImageRequestValidator Validator = new(new ModelCatalogue());

    public static TheoryData<string, int, string?, string?> BadRequests => new()
    {
        // body, status, code, param
        { "", 400, "invalid_json", null },
        { "{", 400, "invalid_json", null },
        { "[]", 400, "invalid_json", null },
        { "\"prompt\"", 400, "invalid_json", null },
        { """{"model":"gpt-image-1"}""", 400, "missing_required_parameter", "prompt" },
        { """{"prompt":""}""", 400, "empty_string", "prompt" },
        { """{"prompt":"   \n\t"}""", 400, "empty_string", "prompt" },
        { """{"prompt":5}""", 400, "invalid_type", "prompt" },
        { """{"prompt":"x","model":3}""", 400, "invalid_type", "model" },
        { """{"prompt":"x","model":""}""", 400, "empty_string", "model" },
        { """{"prompt":"x","n":"two"}""", 400, "invalid_type", "n" },
        { """{"prompt":"x","n":1.5}""", 400, "invalid_type", "n" },
        { """{"prompt":"x","n":0}""", 400, "integer_below_min_value", "n" },
        { """{"prompt":"x","n":11}""", 400, "integer_above_max_value", "n" },
        { """{"prompt":"x","model":"dall-e-3","n":2}""", 400, "invalid_value", "n" },
        { """{"prompt":"x","size":"512x512"}""", 400, "invalid_value", "size" },
        { """{"prompt":"x","size":42}""", 400, "invalid_type", "size" },
        { """{"prompt":"x","model":"gpt-image-2","size":"1000x1000"}""", 400, "invalid_value", "size" },
        { """{"prompt":"x","model":"gpt-image-2","size":"3840x240"}""", 400, "invalid_value", "size" },
        { """{"prompt":"x","model":"gpt-image-2","size":"4096x4096"}""", 400, "invalid_value", "size" },
        { """{"prompt":"x","model":"gpt-image-2","size":"512x512"}""", 400, "invalid_value", "size" },
        { """{"prompt":"x","quality":"ultra"}""", 400, "invalid_value", "quality" },
        { """{"prompt":"x","model":"dall-e-3","quality":"high"}""", 400, "invalid_value", "quality" },
        { """{"prompt":"x","model":"dall-e-3","style":"pretty"}""", 400, "invalid_value", "style" },
        { """{"prompt":"x","model":"gpt-image-1","style":"vivid"}""", 400, "unsupported_parameter", "style" },
        { """{"prompt":"x","model":"dall-e-2","background":"transparent"}""", 400, "unsupported_parameter", "background" },
        { """{"prompt":"x","output_format":"gif"}""", 400, "invalid_value", "output_format" },
        { """{"prompt":"x","output_format":"jpeg","output_compression":101}""", 400, "invalid_value", "output_compression" },
        { """{"prompt":"x","output_compression":50}""", 400, "unsupported_parameter", "output_compression" },
        { """{"prompt":"x","background":"transparent","output_format":"jpeg"}""", 400, "invalid_value", "background" },
        { """{"prompt":"x","moderation":"none"}""", 400, "invalid_value", "moderation" },
        { """{"prompt":"x","response_format":"xml"}""", 400, "invalid_value", "response_format" },
        { """{"prompt":"x","model":"dall-e-3","stream":true}""", 400, "unsupported_parameter", "stream" },
        { """{"prompt":"x","stream":true,"partial_images":4}""", 400, "integer_above_max_value", "partial_images" },
        { """{"prompt":"x","stream":true,"partial_images":-1}""", 400, "integer_below_min_value", "partial_images" },
        { """{"prompt":"x","stream":"yes"}""", 400, "invalid_type", "stream" },
        { """{"prompt":"x","partial_images":2}""", 400, "unsupported_parameter", "partial_images" },
        { """{"prompt":"x","foo":1}""", 400, "unknown_parameter", "foo" },
        { """{"prompt":"x","model":"imagen-9"}""", 404, "model_not_found", "model" },
        { """{"prompt":"x","model":"flux-pro","n":11}""", 400, "integer_above_max_value", "n" },
        { """{"prompt":"x","model":"flux-pro","size":"big"}""", 400, "invalid_value", "size" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public void Bad_input_gets_the_exact_status_code_and_param(string body, int status, string? code, string? param)
    {
        var error = Validate(body, out _);

        Assert.NotNull(error);
        Assert.Equal(status, error.Status);
        Assert.Equal(code, error.Code);
        Assert.Equal(param, error.Param);
        Assert.Equal(status == 404 ? GatewayErrors.InvalidRequestType : "invalid_request_error", error.Type);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("gpt-image-1", 32_000, 32_001)]
    [InlineData("dall-e-3", 4_000, 4_001)]
    [InlineData("dall-e-2", 1_000, 1_001)]
    public void Prompt_length_limits_come_from_the_catalogue(string model, int longestAccepted, int shortestRefused)
    {
        Assert.Null(Validate($$"""{"model":"{{model}}","prompt":"{{new string('a', longestAccepted)}}"}""", out _));

        var error = Validate($$"""{"model":"{{model}}","prompt":"{{new string('a', shortestRefused)}}"}""", out _);
        Assert.Equal(("string_above_max_length", "prompt"), (error?.Code, error?.Param));
    }

    [Fact]
    public void Model_defaults_are_filled_in()
    {
        Assert.Null(Validate("""{"model":"dall-e-3","prompt":"a lighthouse"}""", out var dalle));
        Assert.Equal(("1024x1024", "standard", "vivid"), (dalle!.Request.Size, dalle.Request.Quality, dalle.Request.Style));
        Assert.Null(dalle.Request.OutputFormat);
        Assert.False(dalle.Request.AlwaysBase64);

        Assert.Null(Validate("""{"prompt":"a lighthouse","response_format":"url"}""", out var gpt));
        Assert.Equal("gpt-image-1", gpt!.Request.Model);
        Assert.Equal(("auto", "auto", "png", "auto", "auto"),
            (gpt.Request.Size, gpt.Request.Quality, gpt.Request.OutputFormat, gpt.Request.Background, gpt.Request.Moderation));
        Assert.Null(gpt.Request.Style);
        Assert.True(gpt.Request.AlwaysBase64);
        Assert.Equal(ResponseFormat.Url, gpt.ResponseFormat);
    }

    [Theory]
    [InlineData("""{"model":"gpt-image-2","prompt":"x","size":"2048x1152"}""")]
    [InlineData("""{"model":"gpt-image-2","prompt":"x","size":"3840x2160"}""")]
    [InlineData("""{"model":"gpt-image-1","prompt":"x","output_format":"webp","output_compression":80,"background":"transparent"}""")]
    [InlineData("""{"model":"flux-pro","prompt":"x","size":"1000x700","quality":"whatever"}""")]
    [InlineData("""{"model":"dall-e-2","prompt":"x","n":10,"size":"256x256","user":"u-1","stream":false}""")]
    [InlineData("""{"model":"gpt-image-2.6-flare","prompt":"x","stream":true,"partial_images":3}""")]
    [InlineData("""{"model":"gpt-image-1","prompt":"x","n":null,"size":null}""")]
    public void Valid_requests_pass(string body) => Assert.Null(Validate(body, out _));

    [Fact]
    public void A_model_known_to_the_catalogue_but_served_by_no_account_is_not_found()
    {
        var served = new HashSet<string>(["gpt-image-1"], StringComparer.OrdinalIgnoreCase);
        Assert.True(ImageRequestParser.TryParse(Encoding.UTF8.GetBytes("""{"model":"dall-e-2","prompt":"x"}"""), out var input, out _));

        Assert.False(Validator.TryValidate(input, "gpt-image-1", served.Contains, out _, out var error));
        Assert.Equal((404, "model_not_found"), (error!.Status, error.Code));
    }

    [Fact]
    public void Configured_models_replace_the_built_in_rules()
    {
        var catalogue = new ModelCatalogue(new Dictionary<string, ModelSpec>
        {
            ["dall-e-2"] = new() { Sizes = ["512x512"], Qualities = ["standard"], MaxN = 2, MaxPromptLength = 10 },
        });
        var validator = new ImageRequestValidator(catalogue);
        Assert.True(ImageRequestParser.TryParse(Encoding.UTF8.GetBytes("""{"model":"dall-e-2","prompt":"x","size":"1024x1024"}"""), out var input, out _));

        Assert.False(validator.TryValidate(input, "gpt-image-1", _ => true, out _, out var error));
        Assert.Equal("size", error!.Param);
    }

    private static GatewayError? Validate(string body, out ValidatedImageRequest? validated)
    {
        validated = null;
        if (!ImageRequestParser.TryParse(Encoding.UTF8.GetBytes(body), out var input, out var parseError))
        {
            return parseError;
        }

        return Validator.TryValidate(input, "gpt-image-1", Served.Contains, out validated, out var error) ? null : error;
    }
}
