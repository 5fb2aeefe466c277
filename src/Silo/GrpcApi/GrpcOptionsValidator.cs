using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.GrpcApi;

/// <summary>Checks <c>ImageOrleans:Grpc</c> at start-up, naming the setting that is wrong.</summary>
public sealed class GrpcOptionsValidator : IValidateOptions<GrpcOptions>
{
    private const string Section = "ImageOrleans:Grpc";

    public ValidateOptionsResult Validate(string? name, GrpcOptions options)
    {
        var failures = new List<string>();
        if (options.Enabled && (!Uri.TryCreate(options.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")))
        {
            failures.Add($"{Section}:Url must be an absolute http or https URL, not '{options.Url}'.");
        }

        if (options.MaxReceiveMessageBytes <= 0)
        {
            failures.Add($"{Section}:MaxReceiveMessageBytes must be positive.");
        }

        foreach (var origin in options.WebAllowedOrigins)
        {
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
            {
                failures.Add($"{Section}:WebAllowedOrigins holds '{origin}', which is not an origin such as https://app.example.com.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
