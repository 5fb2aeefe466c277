namespace ImageOrleans.Grains.Batches;

/// <summary>The wire names of <see cref="BatchStatus"/> and which statuses are final.</summary>
public static class BatchStatusNames
{
    public static string Of(BatchStatus status) => status switch
    {
        BatchStatus.Validating => "validating",
        BatchStatus.Failed => "failed",
        BatchStatus.InProgress => "in_progress",
        BatchStatus.Finalizing => "finalizing",
        BatchStatus.Completed => "completed",
        BatchStatus.Expired => "expired",
        BatchStatus.Cancelling => "cancelling",
        BatchStatus.Cancelled => "cancelled",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static bool IsFinal(BatchStatus status) =>
        status is BatchStatus.Failed or BatchStatus.Completed or BatchStatus.Expired or BatchStatus.Cancelled;
}
