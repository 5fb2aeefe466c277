using System.Security.Cryptography;
using System.Text;

namespace ImageOrleans.Grains.Batches;

/// <summary>Ids of batches and files, in OpenAI's style, and the idempotency key of a batch item.</summary>
public static class BatchIds
{
    public static string NewBatchId() => "batch_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static string NewFileId() => "file-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));

    public static string OutputFileId(string batchId) => "file-" + batchId["batch_".Length..] + "-output";

    public static string ErrorFileId(string batchId) => "file-" + batchId["batch_".Length..] + "-errors";

    public static bool IsBatchId(string? id) => id is { Length: 30 } && id.StartsWith("batch_", StringComparison.Ordinal) && id[6..].All(char.IsAsciiHexDigitLower);

    public static bool IsFileId(string? id) =>
        id is { Length: > 5 and <= 64 } && id.StartsWith("file-", StringComparison.Ordinal) && id[5..].All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-');

    /// <summary>
    /// The idempotency key an item runs under: the same for every run of the same <c>custom_id</c> in the
    /// same batch, so a run after a crash replays instead of generating and charging again.
    /// </summary>
    public static string ItemIdempotencyKey(string batchId, string customId) =>
        $"{batchId}:{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customId)))[..32]}";
}
