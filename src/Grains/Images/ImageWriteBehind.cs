using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Images;

/// <summary>
/// Stores the images of an answer that was given from their bytes (<see cref="GenerationJob.StoreBehind"/>),
/// after the answer: the cache and links need them in the store, the client that asked does not.
/// </summary>
public sealed partial class ImageWriteBehind(IImageStore store, ILogger<ImageWriteBehind> logger)
{
    /// <summary>The image <paramref name="content"/> becomes once stored (ids are content hashes, known before writing).</summary>
    public static GeneratedImage Describe(ReadOnlySpan<byte> content, string? revisedPrompt)
    {
        var format = ImageFormat.Detect(content);
        return new GeneratedImage { ImageId = ImageIds.For(content, format), ContentType = format.ContentType, RevisedPrompt = revisedPrompt };
    }

    /// <summary>Writes every image of <paramref name="result"/> on the thread pool; true when all are stored. Never throws.</summary>
    public Task<bool> SaveAsync(GenerationResult result, IReadOnlyList<ReadOnlyMemory<byte>> contents)
    {
        // Started here, so the span sits under the request that made the images, however late it ends.
        var storing = GatewayTelemetry.Source.StartActivity(GatewayTelemetry.Store);
        return Task.Run(async () =>
        {
            using var span = storing;
            try
            {
                for (var i = 0; i < contents.Count; i++)
                {
                    var saved = await store.SaveAsync(contents[i], CancellationToken.None);
                    if (saved.Id != result.Images[i].ImageId)
                    {
                        throw new InvalidOperationException($"The store named an image {saved.Id}, expected {result.Images[i].ImageId}.");
                    }
                }

                return true;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                LogSaveFailed(logger, ex, result.AccountId);
                span?.SetStatus(System.Diagnostics.ActivityStatusCode.Error);
                return false;
            }
        });
    }

    [LoggerMessage(EventId = 2320, Level = LogLevel.Warning,
        Message = "Storing generated images behind their answer failed (served by {AccountId}); the client has them, but they are not cached and no link to them works")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string accountId);
}
