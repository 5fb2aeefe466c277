using System.Globalization;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using ImageOrleans.Grpc.V1;

namespace ImageOrleans.Client.Grpc;

/// <summary>
/// A generation over the gateway's gRPC front door (<c>imageorleans.v1.Images/Generate</c>): the same request,
/// answered with the image bytes; a refusal becomes the same <see cref="ImageOrleansException"/> as over HTTP,
/// read from the status details (the OpenAI code, the field, the retry delay).
/// </summary>
internal static class GrpcImageGenerator
{
    public static async Task<ImageGenerationResult> GenerateAsync(
        Uri address, string apiKey, ImageGenerationRequest request, TimeSpan timeout, HttpMessageHandler? handler, CancellationToken cancellationToken)
    {
        using var channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler });
        var client = new Images.ImagesClient(channel);
        var headers = new Metadata { { "authorization", "Bearer " + apiKey } };
        if (request.Priority is { } priority)
        {
            headers.Add("x-imageorleans-priority", priority);
        }

        if (request.TimeoutMs is { } timeoutMs)
        {
            headers.Add("x-imageorleans-timeout-ms", timeoutMs.ToString(CultureInfo.InvariantCulture));
        }

        if (request.NoCache)
        {
            headers.Add("cache-control", "no-cache");
        }

        var message = new GenerateRequest
        {
            Prompt = request.Prompt,
            Model = request.Model ?? string.Empty,
            N = request.N ?? 0,
            Size = request.Size ?? string.Empty,
            Quality = request.Quality ?? string.Empty,
            OutputFormat = request.OutputFormat ?? string.Empty,
            ResponseFormat = ResponseFormat.ImageBytes,
        };
        try
        {
            using var call = client.GenerateAsync(message, headers, DateTime.UtcNow + timeout, cancellationToken);
            var response = await call.ResponseAsync.ConfigureAwait(false);
            var answered = await call.ResponseHeadersAsync.ConfigureAwait(false);
            return new ImageGenerationResult
            {
                Created = DateTimeOffset.FromUnixTimeSeconds(response.Created),
                Images = [.. response.Data.Select(image => new GeneratedImage { Bytes = image.ImageBytes.ToByteArray(), RevisedPrompt = image.RevisedPrompt })],
                UsageJson = response.UsageJson.Length == 0 ? null : response.UsageJson,
                RequestId = answered.GetValue("x-request-id"),
                CacheHit = response.Cache == "hit",
            };
        }
        catch (RpcException exception) when (exception.StatusCode != StatusCode.Cancelled || !cancellationToken.IsCancellationRequested)
        {
            throw Translate(exception);
        }
    }

    private static ImageOrleansException Translate(RpcException exception)
    {
        var status = exception.GetRpcStatus();
        var info = status?.GetDetail<ErrorInfo>();
        var field = status?.GetDetail<BadRequest>()?.FieldViolations.FirstOrDefault()?.Field;
        var retry = status?.GetDetail<RetryInfo>()?.RetryDelay;
        var httpStatus = info is not null && info.Metadata.TryGetValue("http_status", out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var code)
            ? code
            : exception.StatusCode switch
            {
                StatusCode.InvalidArgument => 400,
                StatusCode.Unauthenticated => 401,
                StatusCode.PermissionDenied => 403,
                StatusCode.NotFound => 404,
                StatusCode.ResourceExhausted => 429,
                StatusCode.DeadlineExceeded => 504,
                StatusCode.Unavailable => 503,
                _ => 500,
            };
        return new ImageOrleansException(
            httpStatus,
            status?.Message is { Length: > 0 } text2 ? text2 : exception.Status.Detail,
            info?.Metadata.TryGetValue("type", out var type) == true ? type : null,
            info?.Reason,
            field,
            retry is null ? null : retry.ToTimeSpan(),
            exception);
    }
}
