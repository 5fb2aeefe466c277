using System.Buffers;
using System.Text.Json;
using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Images;

namespace ImageOrleans.Silo.Api;

/// <summary>
/// A batch's output or error file as JSONL, one line per item in input order, in OpenAI's batch output
/// shape. Links are signed when the file is read, so a download always carries fresh ones; a line that
/// asked for <c>b64_json</c> carries the bytes.
/// </summary>
public sealed class BatchResultsWriter(ImageLinks links, IImageStore store)
{
    public IResult Write(IReadOnlyList<BatchItemOutcome> outcomes) => new JsonlResult(this, outcomes);

    private async Task WriteAsync(HttpContext http, IReadOnlyList<BatchItemOutcome> outcomes)
    {
        http.Response.StatusCode = StatusCodes.Status200OK;
        http.Response.ContentType = "application/jsonl";
        var cancellationToken = http.RequestAborted;
        foreach (var outcome in outcomes)
        {
            var contents = outcome.Result is { } result && outcome.Base64 ? await ReadAsync(result, cancellationToken) : null;
            await using (var json = new Utf8JsonWriter(http.Response.BodyWriter, JsonOutput.WriterOptions))
            {
                WriteLine(json, http.Request, outcome, contents);
            }

            http.Response.BodyWriter.Write("\n"u8);
            await http.Response.BodyWriter.FlushAsync(cancellationToken);
        }
    }

    private void WriteLine(Utf8JsonWriter json, HttpRequest request, BatchItemOutcome outcome, IReadOnlyList<byte[]?>? contents)
    {
        json.WriteStartObject();
        json.WriteString("id", $"batch_req_{outcome.RequestId}");
        json.WriteString("custom_id", outcome.CustomId);
        if (outcome.NotRun)
        {
            json.WriteNull("response");
            json.WriteStartObject("error");
            json.WriteString("code", outcome.Error!.Code);
            json.WriteString("message", outcome.Error.Message);
            json.WriteEndObject();
            json.WriteEndObject();
            return;
        }

        json.WriteStartObject("response");
        json.WriteNumber("status_code", outcome.Result is null ? outcome.Error!.Status : 200);
        json.WriteString("request_id", outcome.RequestId);
        json.WriteStartObject("body");
        if (outcome.Result is { } result)
        {
            WriteImages(json, request, result, outcome, contents);
        }
        else
        {
            var error = outcome.Error!;
            json.WriteStartObject("error");
            json.WriteString("message", error.Message);
            json.WriteString("type", error.Type);
            BatchJson.Nullable(json, "param", error.Param);
            BatchJson.Nullable(json, "code", error.Code);
            json.WriteEndObject();
        }

        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteNull("error");
        if (outcome.Result is { } generated)
        {
            // The gateway's own fields: what the CLI's manifest records.
            json.WriteStartObject("imageorleans");
            json.WriteString("model", outcome.Request?.Model);
            var cached = outcome.FromCache;
            json.WriteBoolean("cached", cached);
            json.WriteNumber("cost_usd", cached ? 0m : generated.CostUsd);
            if (outcome.Candidates is { } candidates)
            {
                json.WriteNumber("best_of", candidates);
                if (outcome.Scores is { } scores)
                {
                    json.WriteStartArray("scores");
                    foreach (var score in scores)
                    {
                        json.WriteNumberValue(score);
                    }

                    json.WriteEndArray();
                }
                else
                {
                    json.WriteNull("scores");
                    json.WriteString("scorer_failed", outcome.ScorerFailure);
                }
            }

            json.WriteEndObject();
        }

        json.WriteEndObject();
    }

    private void WriteImages(Utf8JsonWriter json, HttpRequest request, GenerationResult result, BatchItemOutcome outcome, IReadOnlyList<byte[]?>? contents)
    {
        json.WriteNumber("created", result.Created);
        if (outcome.Request is { AlwaysBase64: true } asked)
        {
            WriteIfSet(json, "background", asked.Background);
            WriteIfSet(json, "output_format", asked.OutputFormat);
            WriteIfSet(json, "quality", asked.Quality);
            WriteIfSet(json, "size", asked.Size);
        }

        json.WriteStartArray("data");
        for (var i = 0; i < result.Images.Count; i++)
        {
            json.WriteStartObject();
            if (contents is null)
            {
                json.WriteString("url", links.Create(request, result.Images[i].ImageId));
            }
            else if (contents[i] is { } bytes)
            {
                json.WriteBase64String("b64_json", bytes);
            }
            else
            {
                // Past the image retention: the link says so when followed.
                json.WriteString("url", links.Create(request, result.Images[i].ImageId));
            }

            WriteIfSet(json, "revised_prompt", result.Images[i].RevisedPrompt);
            json.WriteEndObject();
        }

        json.WriteEndArray();
        if (result.Usage is { } usage)
        {
            json.WritePropertyName("usage");
            json.WriteRawValue(usage.Json, skipInputValidation: true);
        }
    }

    private async Task<IReadOnlyList<byte[]?>> ReadAsync(GenerationResult result, CancellationToken cancellationToken)
    {
        var contents = new byte[]?[result.Images.Count];
        for (var i = 0; i < contents.Length; i++)
        {
            contents[i] = await store.ReadAsync(result.Images[i].ImageId, cancellationToken);
        }

        return contents;
    }

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (value is not null)
        {
            json.WriteString(name, value);
        }
    }

    private sealed class JsonlResult(BatchResultsWriter writer, IReadOnlyList<BatchItemOutcome> outcomes) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext) => writer.WriteAsync(httpContext, outcomes);
    }
}
