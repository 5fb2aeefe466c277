using System.Net.Http.Json;
using System.Text.Json;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Api;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Pipeline;

/// <summary>
/// The optional post-generation check (<c>ContentChecks:OutputHookUrl</c>): each generated image is
/// offered to the hook as a signed link, and the hook answers <c>{"allowed": true|false}</c>. A refused
/// image turns the answer into 400 <c>output_blocked</c>; the generation was made and stays charged.
/// A hook that fails or does not answer in time blocks too (502 <c>output_check_failed</c>): an image
/// the check could not see is not handed out.
/// </summary>
public sealed partial class OutputHook(IHttpClientFactory httpClients, ImageLinks links, IOptions<ContentCheckOptions> options, ILogger<OutputHook> logger)
{
    public const string HttpClientName = "output-hook";

    public bool Enabled => options.Value.OutputHookUrl is not null;

    public async Task<GatewayError?> CheckAsync(GenerationCall call, string model, GenerationResult result, CancellationToken cancellationToken)
    {
        if (options.Value.OutputHookUrl is not { } hook)
        {
            return null;
        }

        var http = httpClients.CreateClient(HttpClientName);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.OutputHookTimeout);
        foreach (var image in result.Images)
        {
            try
            {
                using var response = await http.PostAsJsonAsync(hook, new HookRequest(call.RequestId, call.Client.KeyId, call.Client.Tenant, model, links.CreateForHttpFrontDoor(image.ImageId), image.ContentType),
                    HookJson.Default.HookRequest, timeout.Token);
                response.EnsureSuccessStatusCode();
                var verdict = await response.Content.ReadFromJsonAsync(HookJson.Default.HookVerdict, timeout.Token);
                if (verdict is not { Allowed: true })
                {
                    return GatewayErrors.Invalid(null, "The generated image did not pass this gateway's content check. The generation was made and is charged.", "output_blocked");
                }
            }
            catch (Exception ex) when (ex is HttpRequestException or JsonException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                LogHookFailed(logger, ex, call.RequestId);
                return GatewayErrors.Invalid(null, "The content check of the generated image failed; the image is withheld. Retry the request.", "output_check_failed") with
                {
                    Status = 502,
                    Type = "server_error",
                };
            }
        }

        return null;
    }

    [LoggerMessage(EventId = 3301, Level = LogLevel.Warning, Message = "The output content hook failed for request {RequestId}; the images are withheld")]
    private static partial void LogHookFailed(ILogger logger, Exception exception, string requestId);
}
