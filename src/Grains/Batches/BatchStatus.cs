namespace ImageOrleans.Grains.Batches;

/// <summary>OpenAI's batch statuses; <see cref="BatchStatusNames"/> gives their wire names.</summary>
[GenerateSerializer]
public enum BatchStatus
{
    Validating,
    Failed,
    InProgress,
    Finalizing,
    Completed,
    Expired,
    Cancelling,
    Cancelled,
}
