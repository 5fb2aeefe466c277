using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Pipeline;

namespace ImageOrleans.Silo.Batches;

/// <summary>
/// A batch item through the live pipeline, as the key that created the batch, at the batch's priority
/// and under an idempotency key per batch and <c>custom_id</c>. With <c>best_of</c>, the
/// <see cref="BestOfRunner"/> generates the candidates, all charged, and keeps the scorer's best.
/// </summary>
public sealed class BatchItemRunner(GenerationPipeline pipeline, ClientKeyDirectory keys, BestOfRunner bestOfRunner) : IBatchItemRunner
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

        if (work.BestOf is not null && !bestOfRunner.IsConfigured)
        {
            return failed(GatewayErrors.Invalid("best_of", "'best_of' needs a scorer, and this gateway has none configured (ImageOrleans:BestOf:ScorerUrl).", "scorer_not_configured"));
        }

        var call = new GenerationCall
        {
            RequestId = requestId,
            Client = ClientIdentity.Of(key),
            Input = work.Input,
            Priority = work.Priority.ToString(),
            IdempotencyKey = BatchIds.ItemIdempotencyKey(work.BatchId, work.CustomId),
        };
        var best = work.BestOf is { } bestOf ? await bestOfRunner.RunAsync(call, bestOf, cancellationToken) : null;
        var outcome = best?.Outcome ?? await pipeline.RunAsync(call, cancellationToken);
        return new BatchItemOutcome
        {
            Index = work.Index,
            CustomId = work.CustomId,
            RequestId = requestId,
            Result = outcome.Error is null ? outcome.Result : null,
            Request = outcome.Request,
            Base64 = work.Input.ResponseFormat == "b64_json",
            Error = outcome.Error,
            Cache = outcome.Cache,
            Candidates = best?.Candidates,
            Scores = best?.Scores,
            ScorerFailure = best?.ScorerFailure,
            Replayed = outcome.Replayed,
        };
    }
}
