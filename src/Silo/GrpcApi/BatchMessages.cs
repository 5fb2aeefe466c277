using ImageOrleans.Grains.Batches;
using GrpcBatch = ImageOrleans.Grpc.V1.Batch;
using GrpcBatchError = ImageOrleans.Grpc.V1.BatchError;
using GrpcBatchRequestCounts = ImageOrleans.Grpc.V1.BatchRequestCounts;

namespace ImageOrleans.Silo.GrpcApi;

/// <summary>A batch as the gRPC front door shows it: the Batches API object, field for field.</summary>
public static class BatchMessages
{
    public static GrpcBatch From(BatchObject batch)
    {
        var message = new GrpcBatch
        {
            Id = batch.Id,
            Endpoint = batch.Spec.Endpoint,
            InputFileId = batch.Spec.InputFileId,
            CompletionWindow = batch.Spec.CompletionWindow,
            Status = BatchStatusNames.Of(batch.Status),
            OutputFileId = batch.OutputFileId ?? string.Empty,
            ErrorFileId = batch.ErrorFileId ?? string.Empty,
            CreatedAt = batch.CreatedAt.ToUnixTimeSeconds(),
            ExpiresAt = batch.ExpiresAt.ToUnixTimeSeconds(),
            InProgressAt = Seconds(batch.InProgressAt),
            CompletedAt = Seconds(batch.CompletedAt),
            FailedAt = Seconds(batch.FailedAt),
            CancelledAt = Seconds(batch.CancelledAt),
            RequestCounts = new GrpcBatchRequestCounts { Total = batch.Counts.Total, Completed = batch.Counts.Completed, Failed = batch.Counts.Failed },
            CacheHits = batch.Counts.CacheHits,
            SpentUsd = (double)batch.Counts.SpentUsd,
            Paused = batch.Paused,
        };
        if (batch.Spec.Metadata is { } metadata)
        {
            foreach (var (key, value) in metadata)
            {
                message.Metadata[key] = value;
            }
        }

        message.Errors.AddRange(batch.Errors.Select(e => new GrpcBatchError { Code = e.Code, Message = e.Message, Param = e.Param ?? string.Empty, Line = e.Line ?? 0 }));
        return message;
    }

    private static long Seconds(DateTimeOffset? at) => at?.ToUnixTimeSeconds() ?? 0;
}
