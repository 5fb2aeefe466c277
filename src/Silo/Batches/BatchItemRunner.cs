using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Pipeline;

namespace ImageOrleans.Silo.Batches;

/// <summary>
/// A batch item through the live pipeline, as the key that created the batch, at the batch's priority
/// and under an idempotency key per batch and <c>custom_id</c>. With <c>best_of</c>, the candidates are
/// generated (one <c>n=N</c> call, or N calls where the model allows only one image), all charged, and
/// the scorer picks the best.
/// </summary>
public sealed class BatchItemRunner(GenerationPipeline pipeline, ClientKeyDirectory keys, BestOfScorer scorer) : IBatchItemRunner
{
    public async Task<BatchItemOutcome> RunAsync(BatchItemWork work, CancellationToken cancellationToken)
    {
        var requestId = $"{work.BatchId}-{work.Index}";
        var failed = (GatewayError error) => new BatchItemOutcome { Index = work.Index, CustomId = work.CustomId, RequestId = requestId, Error = error };
        var key = await keys.GetAsync(work.KeyId);
        if (key is null or { Revoked: true })
        {
            return failed(GatewayErrors.InvalidApiKey());
        }

        if (work.BestOf is not null && !scorer.IsConfigured)
        {
            return failed(GatewayErrors.Invalid("best_of", "'best_of' needs a scorer, and this gateway has none configured (ImageOrleans:BestOf:ScorerUrl).", "scorer_not_configured"));
        }

        var call = new GenerationCall
        {
            RequestId = requestId,
            Client = ClientIdentity.Of(key),
            Input = work.BestOf is { } bestOf ? work.Input with { N = bestOf.Candidates } : work.Input,
            Priority = work.Priority.ToString(),
            IdempotencyKey = BatchIds.ItemIdempotencyKey(work.BatchId, work.CustomId),
        };
        var outcome = await pipeline.RunAsync(call, cancellationToken);
        if (work.BestOf is { } asked && outcome.Error is { Param: "n" })
        {
            outcome = await OneByOneAsync(call, asked.Candidates, cancellationToken);
        }

        var result = outcome.Error is null ? outcome.Result : null;
        IReadOnlyList<double>? scores = null;
        string? scorerFailure = null;
        if (work.BestOf is { } best && result is not null)
        {
            var (all, failure) = await scorer.ScoreAsync(outcome.Request?.Prompt ?? work.Input.Prompt ?? string.Empty, [.. result.Images.Select(i => i.ImageId)], cancellationToken);
            var kept = all is null
                ? Enumerable.Range(0, best.Keep).ToList()
                : [.. Enumerable.Range(0, all.Count).OrderByDescending(i => all[i]).ThenBy(i => i).Take(best.Keep)];
            result = result with { Images = [.. kept.Select(i => result.Images[i])] };
            scores = all is null ? null : [.. kept.Select(i => all[i])];
            scorerFailure = failure;
        }

        return new BatchItemOutcome
        {
            Index = work.Index,
            CustomId = work.CustomId,
            RequestId = requestId,
            Result = result,
            Request = outcome.Request,
            Base64 = work.Input.ResponseFormat == "b64_json",
            Error = outcome.Error,
            Cache = outcome.Cache,
            Candidates = work.BestOf?.Candidates,
            Scores = scores,
            ScorerFailure = scorerFailure,
            Replayed = outcome.Replayed,
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
                IdempotencyKey = $"{call.IdempotencyKey}:c{i}",
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
            Cache = CacheStatus.Bypass,
        };
    }
}
