using System.Text.Json;
using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Files;

namespace ImageOrleans.Silo.Api;

/// <summary>Writes file and batch objects, and lists of them, in OpenAI's shapes.</summary>
public static class BatchJson
{
    public static void WriteFile(Utf8JsonWriter json, FileObject file)
    {
        json.WriteStartObject();
        json.WriteString("id", file.Id);
        json.WriteString("object", "file");
        json.WriteNumber("bytes", file.Bytes);
        json.WriteNumber("created_at", file.CreatedAt.ToUnixTimeSeconds());
        json.WriteString("filename", file.Filename);
        json.WriteString("purpose", file.Purpose);
        json.WriteString("status", "processed");
        json.WriteNull("expires_at");
        json.WriteNull("status_details");
        json.WriteEndObject();
    }

    public static void WriteBatch(Utf8JsonWriter json, BatchObject batch)
    {
        json.WriteStartObject();
        json.WriteString("id", batch.Id);
        json.WriteString("object", "batch");
        json.WriteString("endpoint", batch.Spec.Endpoint);
        if (batch.Errors.Count == 0)
        {
            json.WriteNull("errors");
        }
        else
        {
            json.WriteStartObject("errors");
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var error in batch.Errors)
            {
                json.WriteStartObject();
                json.WriteString("code", error.Code);
                json.WriteString("message", error.Message);
                Nullable(json, "param", error.Param);
                if (error.Line is { } line)
                {
                    json.WriteNumber("line", line);
                }
                else
                {
                    json.WriteNull("line");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        json.WriteString("input_file_id", batch.Spec.InputFileId);
        json.WriteString("completion_window", batch.Spec.CompletionWindow);
        json.WriteString("status", BatchStatusNames.Of(batch.Status));
        Nullable(json, "output_file_id", batch.OutputFileId);
        Nullable(json, "error_file_id", batch.ErrorFileId);
        json.WriteNumber("created_at", batch.CreatedAt.ToUnixTimeSeconds());
        Time(json, "in_progress_at", batch.InProgressAt);
        json.WriteNumber("expires_at", batch.ExpiresAt.ToUnixTimeSeconds());
        Time(json, "finalizing_at", batch.FinalizingAt);
        Time(json, "completed_at", batch.CompletedAt);
        Time(json, "failed_at", batch.FailedAt);
        Time(json, "expired_at", batch.ExpiredAt);
        Time(json, "cancelling_at", batch.CancellingAt);
        Time(json, "cancelled_at", batch.CancelledAt);
        json.WriteStartObject("request_counts");
        json.WriteNumber("total", batch.Counts.Total);
        json.WriteNumber("completed", batch.Counts.Completed);
        json.WriteNumber("failed", batch.Counts.Failed);
        json.WriteEndObject();
        if (batch.Spec.Metadata is { } metadata)
        {
            json.WriteStartObject("metadata");
            foreach (var (name, value) in metadata)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }
        else
        {
            json.WriteNull("metadata");
        }

        // The gateway's own fields, apart from OpenAI's.
        json.WriteStartObject("imageorleans");
        json.WriteString("priority", batch.Spec.Priority.ToString().ToLowerInvariant());
        json.WriteNumber("cache_hits", batch.Counts.CacheHits);
        json.WriteNumber("spent_usd", batch.Counts.SpentUsd);
        json.WriteBoolean("paused", batch.Paused);
        json.WriteEndObject();
        json.WriteEndObject();
    }

    /// <summary><c>{"object":"list","data":[…],"first_id","last_id","has_more"}</c>.</summary>
    public static IResult List<T>(IReadOnlyList<T> items, Func<T, string> id, Action<Utf8JsonWriter, T> write, bool hasMore) =>
        new JsonWriterResult(json =>
        {
            json.WriteStartObject();
            json.WriteString("object", "list");
            json.WriteStartArray("data");
            foreach (var item in items)
            {
                write(json, item);
            }

            json.WriteEndArray();
            Nullable(json, "first_id", items.Count > 0 ? id(items[0]) : null);
            Nullable(json, "last_id", items.Count > 0 ? id(items[^1]) : null);
            json.WriteBoolean("has_more", hasMore);
            json.WriteEndObject();
        });

    public static IResult File(FileObject file) => new JsonWriterResult(json => WriteFile(json, file));

    public static IResult Batch(BatchObject batch) => new JsonWriterResult(json => WriteBatch(json, batch));

    private static void Time(Utf8JsonWriter json, string name, DateTimeOffset? value)
    {
        if (value is { } time)
        {
            json.WriteNumber(name, time.ToUnixTimeSeconds());
        }
        else
        {
            json.WriteNull(name);
        }
    }

    internal static void Nullable(Utf8JsonWriter json, string name, string? value)
    {
        if (value is null)
        {
            json.WriteNull(name);
        }
        else
        {
            json.WriteString(name, value);
        }
    }

    private sealed class JsonWriterResult(Action<Utf8JsonWriter> write) : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = StatusCodes.Status200OK;
            httpContext.Response.ContentType = "application/json";
            await using var json = new Utf8JsonWriter(httpContext.Response.BodyWriter, JsonOutput.WriterOptions);
            write(json);
            await json.FlushAsync(httpContext.RequestAborted);
        }
    }
}
