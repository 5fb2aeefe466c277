using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Silo.Pipeline;

namespace ImageOrleans.Silo.Batches;

/// <summary>
/// Best-of-N for a live request and a batch item alike: the candidates are generated (one <c>n=N</c> call,
/// or N calls where the model makes one image a call), all charged, the scorer ranks them and the best
/// <c>k</c> are kept, best first. When the scorer fails, the first <c>k</c> are kept and the outcome says why.
/// </summary>
public sealed class BestOfRunner(GenerationPipeline pipeline, BestOfScorer scorer)
{
    public bool IsConfigured => scorer.IsConfigured;

    public async Task<BestOfOutcome> RunAsync(GenerationCall call, BestOf bestOf, CancellationToken cancellationToken)
    {
        // The scorer is handed links to the candidates: they must be stored before the answer.
        var candidates = call with { Input = call.Input with { N = bestOf.Candidates }, StoreBeforeAnswer = true };
        var outcome = await pipeline.RunAsync(candidates, cancellationToken);
        if (outcome.Error is { Param: "n" })
        {
            outcome = await OneByOneAsync(candidates, bestOf.Candidates, cancellationToken);
        }

        if (outcome.Error is not null || outcome.Result is not { } result)
        {
            return new BestOfOutcome { Outcome = outcome, Candidates = bestOf.Candidates };
        }

        var prompt = outcome.Request?.Prompt ?? call.Input.Prompt ?? string.Empty;
        var (all, failure) = await scorer.ScoreAsync(prompt, [.. result.Images.Select(i => i.ImageId)], cancellationToken);
        List<int> kept = all is null
            ? [.. Enumerable.Range(0, Math.Min(bestOf.Keep, result.Images.Count))]
            : [.. Enumerable.Range(0, all.Count).OrderByDescending(i => all[i]).ThenBy(i => i).Take(bestOf.Keep)];
        return new BestOfOutcome
        {
            Outcome = outcome with
            {
                Result = result with { Images = [.. kept.Select(i => result.Images[i])] },
                Contents = outcome.Contents is { Count: > 0 } contents ? [.. kept.Select(i => contents[i])] : outcome.Contents,
            },
            Candidates = bestOf.Candidates,
            Scores = all is null ? null : [.. kept.Select(i => all[i])],
            ScorerFailure = failure,
        };
    }

    /// <summary>N single-image calls for a model that makes one image a call, each its own generation (no cache) and idempotency key.</summary>
    private async Task<GenerationOutcome> OneByOneAsync(GenerationCall call, int candidates, CancellationToken cancellationToken)
    {
        var outcomes = new List<GenerationOutcome>();
        for (var i = 0; i < candidates; i++)
        {
            var outcome = await pipeline.RunAsync(call with
            {
                Input = call.Input with { N = null },
                NoCache = true,
                IdempotencyKey = call.IdempotencyKey is { } key ? $"{key}:c{i}" : null,
            }, cancellationToken);
            if (outcome.Error is not null)
            {
                return outcome;
            }

            outcomes.Add(outcome);
        }

        var first = outcomes[0];
        return first with
        {
            Result = first.Result! with
            {
                Images = [.. outcomes.SelectMany(o => o.Result!.Images)],
                CostUsd = outcomes.Sum(o => o.Result!.CostUsd),
            },
            Contents = outcomes.All(o => o.Contents is { Count: > 0 }) ? [.. outcomes.SelectMany(o => o.Contents!)] : first.Contents,
            QueueWait = outcomes.Aggregate(TimeSpan.Zero, (sum, o) => sum + o.QueueWait),
            Cache = CacheStatus.Bypass,
        };
    }
}
