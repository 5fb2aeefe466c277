using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using ImageOrleans.Client.Serialization;

namespace ImageOrleans.Client.Batches;

/// <summary>The gateway's Files and Batches APIs, as the CLI uses them.</summary>
public sealed class ImageOrleansBatchClient(HttpClient httpClient, ImageOrleansClientOptions options, TimeProvider? timeProvider = null)
{
    private readonly Uri _baseAddress = options.BaseAddress is { } b && b.AbsolutePath.EndsWith('/') ? b : new UriBuilder(options.BaseAddress!) { Path = options.BaseAddress!.AbsolutePath + "/" }.Uri;
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;

    /// <summary>Uploads a JSONL input file (<c>purpose=batch</c>) and returns its id.</summary>
    public async Task<string> UploadAsync(byte[] jsonl, string fileName, CancellationToken cancellationToken)
    {
        using var form = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
            { new ByteArrayContent(jsonl), "file", fileName },
        };
        var file = await SendAsync(HttpMethod.Post, "files", form, ClientJsonContext.Default.FileBody, cancellationToken);
        return file.Id ?? throw new InvalidDataException("The gateway answered the upload without a file id.");
    }

    public Task<BatchState> CreateAsync(string fileId, string? priority, CancellationToken cancellationToken) =>
        CreateAsync(new BatchCreateBody { InputFileId = fileId }, priority, cancellationToken);

    /// <summary>A batch of <paramref name="template"/> (its prompt with <c>{placeholders}</c>) over the rows of the variables file <paramref name="fileId"/>.</summary>
    public Task<BatchState> CreateFromTemplateAsync(string fileId, ImageGenerationRequest template, string? customIdColumn, string? priority, CancellationToken cancellationToken) =>
        CreateAsync(new BatchCreateBody { InputFileId = fileId, Template = new BatchTemplateBody { Body = template, CustomIdColumn = customIdColumn } }, priority, cancellationToken);

    private async Task<BatchState> CreateAsync(BatchCreateBody create, string? priority, CancellationToken cancellationToken)
    {
        var body = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(create, ClientJsonContext.Default.BatchCreateBody));
        body.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return ToState(await SendAsync(HttpMethod.Post, "batches", body, ClientJsonContext.Default.BatchBody, priority, cancellationToken));
    }

    public async Task<BatchState> GetAsync(string batchId, CancellationToken cancellationToken) =>
        ToState(await SendAsync(HttpMethod.Get, $"batches/{Uri.EscapeDataString(batchId)}", null, ClientJsonContext.Default.BatchBody, cancellationToken));

    public async Task<BatchState> CancelAsync(string batchId, CancellationToken cancellationToken) =>
        ToState(await SendAsync(HttpMethod.Post, $"batches/{Uri.EscapeDataString(batchId)}/cancel", null, ClientJsonContext.Default.BatchBody, cancellationToken));

    public async Task<IReadOnlyList<BatchState>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var list = await SendAsync(HttpMethod.Get, $"batches?limit={limit}", null, ClientJsonContext.Default.BatchListBody, cancellationToken);
        return [.. (list.Data ?? []).Select(ToState)];
    }

    /// <summary>The lines of a batch's output or error file.</summary>
    internal Task<IReadOnlyList<BatchOutputLineBody>> ReadLinesAsync(string fileId, CancellationToken cancellationToken) =>
        ReadJsonlAsync($"files/{Uri.EscapeDataString(fileId)}/content", cancellationToken);

    /// <summary>The output lines a running batch has stored so far (the gateway's own endpoint).</summary>
    internal Task<IReadOnlyList<BatchOutputLineBody>> ReadOutputSoFarAsync(string batchId, CancellationToken cancellationToken) =>
        ReadJsonlAsync($"batches/{Uri.EscapeDataString(batchId)}/output", cancellationToken);

    private async Task<IReadOnlyList<BatchOutputLineBody>> ReadJsonlAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(HttpMethod.Get, path, null, null, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return [.. text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => JsonSerializer.Deserialize(line, ClientJsonContext.Default.BatchOutputLineBody) ?? throw new InvalidDataException("An output line was null."))];
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
        where T : class => await SendAsync(method, path, content, type, null, cancellationToken);

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, string? priority, CancellationToken cancellationToken)
        where T : class
    {
        using var response = await SendRawAsync(method, path, content, priority, cancellationToken);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken) ?? throw new JsonException("The body was null.");
        }
        catch (JsonException ex)
        {
            throw new ImageOrleansException((int)response.StatusCode, $"The gateway's answer could not be read: {ex.Message}", innerException: ex);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, HttpContent? content, string? priority, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(method, new Uri(_baseAddress, path)) { Content = content };
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        if (priority is not null)
        {
            message.Headers.Add("x-imageorleans-priority", priority);
        }

        var response = await httpClient.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            throw await ErrorResponseReader.ReadAsync(response, _time, cancellationToken);
        }
    }

    private static BatchState ToState(BatchBody body) => new()
    {
        Id = body.Id ?? throw new InvalidDataException("The gateway answered without a batch id."),
        Status = body.Status ?? "unknown",
        Total = body.RequestCounts?.Total ?? 0,
        Completed = body.RequestCounts?.Completed ?? 0,
        Failed = body.RequestCounts?.Failed ?? 0,
        CacheHits = body.Imageorleans?.CacheHits ?? 0,
        Paused = body.Imageorleans?.Paused ?? false,
        SpentUsd = body.Imageorleans?.SpentUsd ?? 0m,
        OutputFileId = body.OutputFileId,
        ErrorFileId = body.ErrorFileId,
        Errors = [.. (body.Errors?.Data ?? []).Select(e => $"{e.Code}: {e.Message}")],
    };
}
