using System.Net.Http.Json;
using ImageOrleans.Silo.Api;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Batches;

/// <summary>
/// Asks the configured scorer to rank candidates, with a timeout per call and a few retries. The links it
/// gets are signed like any image link: the scorer needs no key of the gateway.
/// </summary>
public sealed partial class BestOfScorer(IHttpClientFactory clients, ImageLinks links, IOptions<BestOfOptions> options, TimeProvider time, ILogger<BestOfScorer> logger)
{
    public const string HttpClientName = "best-of-scorer";

    public bool IsConfigured => options.Value.ScorerUrl is not null;

    /// <summary>One score per image, or the reason there are none (the caller then keeps the first candidates).</summary>
    public async Task<(IReadOnlyList<double>? Scores, string? Failure)> ScoreAsync(string prompt, IReadOnlyList<string> imageIds, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var request = new ScorerRequest(prompt, [.. imageIds.Select((id, i) => new ScorerImage(i, links.CreateForHttpFrontDoor(id)))]);
        var client = clients.CreateClient(HttpClientName);
        string failure = "no answer";
        for (var attempt = 0; attempt <= settings.Retries; attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, cancellationToken);
            }

            using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            limit.CancelAfter(settings.Timeout);
            try
            {
                using var response = await client.PostAsJsonAsync(settings.ScorerUrl, request, ScorerJsonContext.Default.ScorerRequest, limit.Token);
                if (!response.IsSuccessStatusCode)
                {
                    failure = $"the scorer answered {(int)response.StatusCode}";
                    continue;
                }

                var answer = await response.Content.ReadFromJsonAsync(ScorerJsonContext.Default.ScorerResponse, limit.Token);
                if (answer?.Scores is { } scores && scores.Count == imageIds.Count && scores.All(double.IsFinite))
                {
                    return (scores, null);
                }

                failure = $"the scorer gave {answer?.Scores?.Count ?? 0} scores for {imageIds.Count} images";
            }
            catch (Exception ex) when (ex is HttpRequestException or System.Text.Json.JsonException
                                       || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                failure = ex is OperationCanceledException ? $"the scorer did not answer within {settings.Timeout.TotalSeconds:0.#} s" : "the scorer could not be reached or read";
            }
        }

        LogScorerFailed(failure);
        return (null, failure);
    }

    [LoggerMessage(EventId = 2811, Level = LogLevel.Warning, Message = "Best-of scoring failed ({Failure}); the first candidates are kept")]
    private partial void LogScorerFailed(string failure);
}
