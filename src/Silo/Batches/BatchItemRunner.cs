using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Silo.Api;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Pipeline;

namespace ImageOrleans.Silo.Batches;

/// <summary>
/// A batch item through the live pipeline, as the key that created the batch, at the batch's priority
/// and under an idempotency key per batch and <c>custom_id</c>. Its body is read as the live endpoint
/// reads it (a generation, or a JSON edit whose images are fetched into the upload store for the run).
/// With <c>best_of</c>, the <see cref="BestOfRunner"/> generates the candidates, all charged, and keeps the scorer's best.
/// </summary>
public sealed class BatchItemRunner(
    GenerationPipeline pipeline, ClientKeyDirectory keys, BestOfRunner bestOfRunner, JsonEditReader jsonEdits, UploadStore uploads) : IBatchItemRunner
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

        var saved = new List<InputImage>();
        try
        {
            var call = new GenerationCall
            {
                RequestId = requestId,
                Client = ClientIdentity.Of(key),
                Input = new ImageRequestInput(),
                Operation = work.Operation,
                Priority = work.Priority.ToString(),
                IdempotencyKey = BatchIds.ItemIdempotencyKey(work.BatchId, work.CustomId),
            };
            if (work.Operation == ImageOperation.Edit)
            {
                var (edit, invalid) = await jsonEdits.ReadAsync(work.Body, saved, cancellationToken);
                if (edit is null)
                {
                    return failed(invalid!);
                }

                call = call with { Input = edit.Input, Images = edit.Images, Mask = edit.Mask };
            }
            else if (ImageRequestParser.TryParse(work.Body, out var input, out var invalid))
            {
                call = call with { Input = input! };
            }
            else
            {
                return failed(invalid!);
            }

            var best = work.BestOf is { } bestOf ? await bestOfRunner.RunAsync(call, bestOf, cancellationToken) : null;
            var outcome = best?.Outcome ?? await pipeline.RunAsync(call, cancellationToken);
            return new BatchItemOutcome
            {
                Index = work.Index,
                CustomId = work.CustomId,
                RequestId = requestId,
                Result = outcome.Error is null ? outcome.Result : null,
                Request = outcome.Request,
                Base64 = call.Input.ResponseFormat == "b64_json",
                Error = outcome.Error,
                Cache = outcome.Cache,
                Candidates = best?.Candidates,
                Scores = best?.Scores,
                ScorerFailure = best?.ScorerFailure,
                Replayed = outcome.Replayed,
            };
        }
        finally
        {
            uploads.Delete(saved);
        }
    }
}
