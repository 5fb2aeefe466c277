using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Secrets;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Billing;

/// <summary>
/// Delivers budget alerts to keys' webhooks off the grain's turn: POST of a JSON body signed with
/// HMAC-SHA256 of the key's webhook secret, a 10 s timeout per try, three tries with backoff.
/// </summary>
public sealed partial class BudgetAlertNotifier(IHttpClientFactory httpClients, TimeProvider time, SecretCipher secrets, ILogger<BudgetAlertNotifier> logger) : IAsyncDisposable
{
    public const string HttpClientName = "webhooks";
    public const string SignatureHeader = "X-ImageOrleans-Signature";
    private const int Attempts = 3;

    private readonly Channel<(BudgetAlert Alert, Uri Url, UpstreamSecret Secret)> _pending =
        Channel.CreateBounded<(BudgetAlert, Uri, UpstreamSecret)>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private Task? _worker;

    public void Enqueue(BudgetAlert alert, string url, UpstreamSecret secret)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var target) || target.Scheme is not ("https" or "http"))
        {
            LogBadUrl(logger, alert.KeyId);
            return;
        }

        _pending.Writer.TryWrite((alert, target, secret));
        lock (_lock)
        {
            _worker ??= Task.Run(DeliverAsync);
        }
    }

    /// <summary>The body and its signature header value, as a receiver would check them.</summary>
    public static (byte[] Body, string Signature) Sign(BudgetAlert alert, string secret)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(new
        {
            type = "budget.threshold",
            key_id = alert.KeyId,
            key_name = alert.KeyName,
            period = alert.Period,
            period_key = alert.PeriodKey,
            threshold_percent = alert.Threshold,
            spent_usd = alert.SpentUsd,
            budget_usd = alert.BudgetUsd,
            at = alert.At,
        });
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);
        return (body, "sha256=" + Convert.ToHexStringLower(mac));
    }

    public async ValueTask DisposeAsync()
    {
        _pending.Writer.TryComplete();
        await _stopping.CancelAsync();
        if (_worker is not null)
        {
            await _worker.ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task DeliverAsync()
    {
        try
        {
            await foreach (var (alert, url, secret) in _pending.Reader.ReadAllAsync(_stopping.Token).ConfigureAwait(false))
            {
                await DeliverOneAsync(alert, url, secret).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private async Task DeliverOneAsync(BudgetAlert alert, Uri url, UpstreamSecret secret)
    {
        string key;
        try
        {
            key = secrets.Reveal(secret, $"client key '{alert.KeyId}' (webhook secret)");
        }
        catch (SecretUnavailableException)
        {
            return; // The cipher logged it, naming the key id; an unsigned alert is never sent.
        }

        var (body, signature) = Sign(alert, key);
        var http = httpClients.CreateClient(HttpClientName);
        for (var attempt = 1; attempt <= Attempts; attempt++)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
                request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
                request.Headers.TryAddWithoutValidation("X-ImageOrleans-Event", "budget.threshold");
                using var response = await http.SendAsync(request, timeout.Token).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }

                LogAttemptFailed(logger, alert.KeyId, url.Host, attempt, ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture));
            }
            catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !_stopping.IsCancellationRequested)
            {
                LogAttemptFailed(logger, alert.KeyId, url.Host, attempt, ex.GetType().Name);
            }

            if (attempt < Attempts)
            {
                await Task.Delay(TimeSpan.FromSeconds(Math.Pow(2, attempt - 1)), time, _stopping.Token).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(EventId = 2601, Level = LogLevel.Warning, Message = "Budget alert webhook of key {KeyId} to {Host} failed (try {Attempt}): {Reason}")]
    private static partial void LogAttemptFailed(ILogger logger, string keyId, string host, int attempt, string reason);

    [LoggerMessage(EventId = 2602, Level = LogLevel.Warning, Message = "Budget alert webhook of key {KeyId} has no usable http(s) URL")]
    private static partial void LogBadUrl(ILogger logger, string keyId);
}
