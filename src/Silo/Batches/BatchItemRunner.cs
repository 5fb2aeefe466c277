using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Pipeline;

namespace ImageOrleans.Silo.Batches;

/// <summary>
/// A batch item through the live pipeline, as the key that created the batch, at the batch's priority
/// and under an idempotency key per batch and <c>custom_id</c>.
/// </summary>
public sealed class BatchItemRunner(GenerationPipeline pipeline, ClientKeyDirectory keys) : IBatchItemRunner
{
    public async Task<BatchItemOutcome> RunAsync(BatchItemWork work, CancellationToken cancellationToken)
    {
        var requestId = $"{work.BatchId}-{work.Index}";
        var key = await keys.GetAsync(work.KeyId);
        if (key is null or { Revoked: true })
        {
            return new BatchItemOutcome { Index = work.Index, CustomId = work.CustomId, RequestId = requestId, Error = GatewayErrors.InvalidApiKey() };
        }

        var outcome = await pipeline.RunAsync(new GenerationCall
        {
            RequestId = requestId,
            Client = ClientIdentity.Of(key),
            Input = work.Input,
            Priority = work.Priority.ToString(),
            IdempotencyKey = BatchIds.ItemIdempotencyKey(work.BatchId, work.CustomId),
        }, cancellationToken);
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
        };
    }
}
