using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageOrleans.Client.Cli;
using ImageOrleans.Client.Serialization;

namespace ImageOrleans.Client.Batches;

/// <summary>
/// Writes a finished batch's images into a folder with <c>manifest.jsonl</c> (custom_id, file, model,
/// cost, cached). An item is added to the manifest only after all its images are on disk, so a run that
/// was killed and is started again downloads exactly what is missing.
/// </summary>
internal static class BatchDownloader
{
    public const string ManifestName = "manifest.jsonl";

    public sealed record Summary(int Written, int Skipped, decimal SpendUsd, int Cached);

    /// <summary>The images of an ended batch (its output file), or those stored so far of a running one.</summary>
    public static async Task<Summary> DownloadAsync(
        ImageOrleansBatchClient batches, ImageOrleansClient images, BatchState batch, string folder, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var manifestPath = Path.Combine(folder, ManifestName);
        var done = ReadManifest(manifestPath);
        var (written, skipped, spend) = (0, 0, done.Values.Sum(e => e.CostUsd));
        IReadOnlyList<BatchOutputLineBody> lines = batch.OutputFileId is { } outputFileId ? await batches.ReadLinesAsync(outputFileId, cancellationToken)
            : !batch.IsFinal ? await batches.ReadOutputSoFarAsync(batch.Id, cancellationToken)
            : [];
        foreach (var line in lines)
        {
            if (line.CustomId is not { } customId || line.Response?.Body?.Data is not { Count: > 0 } data)
            {
                continue;
            }

            if (done.ContainsKey(customId))
            {
                skipped++;
                continue;
            }

            var files = new List<string>();
            for (var i = 0; i < data.Count; i++)
            {
                var bytes = data[i].B64Json is { } b64 ? Convert.FromBase64String(b64)
                    : data[i].Url is { } url ? await images.DownloadAsync(new Uri(url), cancellationToken)
                    : throw new InvalidDataException($"The output line of '{customId}' has neither b64_json nor url.");
                var name = string.Create(CultureInfo.InvariantCulture, $"{SafeName(customId)}{(data.Count > 1 ? $"-{i}" : "")}{ImageFileFormat.SniffExtension(bytes)}");
                await File.WriteAllBytesAsync(Path.Combine(folder, name), bytes, cancellationToken);
                files.Add(name);
            }

            var entry = new ManifestEntry
            {
                CustomId = customId,
                File = string.Join(';', files),
                Model = line.Imageorleans?.Model,
                CostUsd = line.Imageorleans?.CostUsd ?? 0m,
                Cached = line.Imageorleans?.Cached ?? false,
            };
            await File.AppendAllTextAsync(manifestPath, JsonSerializer.Serialize(entry, ClientJsonContext.Default.ManifestEntry) + "\n", cancellationToken);
            done[customId] = entry;
            written++;
            spend += entry.CostUsd;
        }

        return new Summary(written, skipped, spend, done.Values.Count(e => e.Cached));
    }

    private static Dictionary<string, ManifestEntry> ReadManifest(string path)
    {
        var entries = new Dictionary<string, ManifestEntry>(StringComparer.Ordinal);
        if (!File.Exists(path))
        {
            return entries;
        }

        foreach (var line in File.ReadAllLines(path))
        {
            // A line cut short by a kill is simply downloaded again.
            try
            {
                if (line.Length > 0 && JsonSerializer.Deserialize(line, ClientJsonContext.Default.ManifestEntry) is { } entry)
                {
                    entries[entry.CustomId] = entry;
                }
            }
            catch (JsonException)
            {
            }
        }

        return entries;
    }

    // custom_ids come from the input (or the server): never let one steer the path.
    private static string SafeName(string customId)
    {
        var name = new StringBuilder();
        foreach (var c in customId)
        {
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_');
        }

        var text = name.ToString(0, Math.Min(name.Length, 100)).TrimStart('.');

        // Two ids that differ only in replaced characters must not share a file.
        return text == customId ? text : $"{(text.Length > 0 ? text : "item")}-{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(customId)))[..8]}";
    }
}
