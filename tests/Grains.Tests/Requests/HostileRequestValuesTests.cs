using System.Text;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Tests.Requests;

/// <summary>Model names travel in their canonical spelling; free-form values of unknown models stay plain tokens.</summary>
public sealed class HostileRequestValuesTests
{
    private static readonly ImageRequestValidator Validator = new(new ModelCatalogue());

    [Theory]
    [InlineData("GPT-IMAGE-1", "gpt-image-1")]
    [InlineData("Dall-E-3", "dall-e-3")]
    [InlineData("FLUX-PRO", "Flux-Pro")]
    [InlineData("flux-pro", "Flux-Pro")]
    public void A_model_is_carried_onwards_in_its_canonical_spelling(string asked, string sent)
    {
        // The account declares "Flux-Pro" (the catalogue does not know it) and "GPT-Image-1" in its own spelling.
        var served = new HashSet<string>(["GPT-Image-1", "dall-e-3", "Flux-Pro"], StringComparer.OrdinalIgnoreCase);

        var error = Validate($$"""{"model":"{{asked}}","prompt":"x"}""", served, out var validated);

        Assert.Null(error);
        Assert.Equal(sent, validated!.Request.Model);
    }

    [Fact]
    public void The_default_model_is_canonical_too()
    {
        var served = new HashSet<string>(["gpt-image-1"], StringComparer.OrdinalIgnoreCase);
        Assert.True(ImageRequestParser.TryParse("""{"prompt":"x"}"""u8.ToArray(), out var input, out _));

        Assert.True(Validator.TryValidate(input, "GPT-Image-1", served, out var validated, out _));
        Assert.Equal("gpt-image-1", validated!.Request.Model);
    }

    [Theory]
    [InlineData("quality", "high|x")]
    [InlineData("quality", "a|b|c")]
    [InlineData("quality", "")]
    [InlineData("quality", "-leading-dash")]
    [InlineData("quality", "=cmd")]
    [InlineData("quality", "hd\n")]
    [InlineData("quality", "ultra high")]
    [InlineData("quality", "qualité")]
    [InlineData("quality", "abcdefghijklmnopqrstuvwxyz0123456")]
    [InlineData("style", "vivid;drop")]
    [InlineData("background", "<b>")]
    [InlineData("output_format", "png/x")]
    [InlineData("moderation", "low,high")]
    public void Free_form_values_of_an_uncatalogued_model_must_be_plain_tokens(string param, string value)
    {
        var served = new HashSet<string>(["flux-pro"], StringComparer.OrdinalIgnoreCase);
        var body = $$"""{"model":"flux-pro","prompt":"x","{{param}}":{{System.Text.Json.JsonSerializer.Serialize(value)}}}""";

        var error = Validate(body, served, out _);

        Assert.NotNull(error);
        Assert.Equal((400, param, "invalid_value"), (error.Status, error.Param, error.Code));
    }

    [Theory]
    [InlineData("hd")]
    [InlineData("Ultra_2.5:fast-mode")]
    [InlineData("abcdefghijklmnopqrstuvwxyz012345")]
    public void Plain_tokens_pass_for_an_uncatalogued_model(string quality)
    {
        var served = new HashSet<string>(["flux-pro"], StringComparer.OrdinalIgnoreCase);

        var error = Validate($$"""{"model":"flux-pro","prompt":"x","quality":"{{quality}}","style":"raw"}""", served, out var validated);

        Assert.Null(error);
        Assert.Equal(quality, validated!.Request.Quality);
    }

    [Theory]
    [InlineData("{\"a\":[{\"b\":\"\\ud800\"}]}", "invalid_encoding", "a[0].b")]
    [InlineData("{\"a\":[1,[2,\"\\udfff\"]]}", "invalid_encoding", "a[1][1]")]
    [InlineData("{\"a\":{\"b\":1,\"b\":2}}", "duplicate_parameter", "a.b")]
    [InlineData("{\"a\":{\"\\ud800\":1}}", "invalid_encoding", "a")]
    [InlineData("{\"a\":1,\"a\":1}", "duplicate_parameter", "a")]
    [InlineData("\"\\ud800\"", "invalid_encoding", null)]
    public void Strict_json_names_the_path_of_what_is_wrong(string body, string code, string? param)
    {
        Assert.False(StrictJson.TryParse(Encoding.UTF8.GetBytes(body), out _, out var error));

        Assert.Equal((400, code, param), (error.Status, error.Code, error.Param));
    }

    [Fact]
    public void An_unknown_parameter_with_a_huge_name_is_named_in_part()
    {
        var body = Encoding.UTF8.GetBytes($$"""{"prompt":"x","{{new string('a', 5000)}}":1}""");

        Assert.False(ImageRequestParser.TryParse(body, out _, out var error));

        Assert.Equal(new string('a', 64) + "…", error!.Param);
        Assert.True(error.Message.Length < 200);
    }

    private static GatewayError? Validate(string body, IReadOnlySet<string> served, out ValidatedImageRequest? validated)
    {
        validated = null;
        if (!ImageRequestParser.TryParse(Encoding.UTF8.GetBytes(body), out var input, out var parseError))
        {
            return parseError;
        }

        return Validator.TryValidate(input, "gpt-image-1", served, out validated, out var error) ? null : error;
    }
}
