using System.Security.Cryptography;
using System.Text;
using System.Threading.Channels;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Pool;
using Microsoft.Extensions.Logging.Abstractions;

namespace ImageOrleans.Grains.Tests.Secrets;

/// <summary>The notifier opens a sealed webhook secret only to sign, and sends nothing it cannot sign.</summary>
public sealed class WebhookSigningTests
{
    [Fact]
    public async Task A_sealed_secret_signs_the_body_and_one_that_cannot_be_opened_sends_nothing()
    {
        const string Secret = "whsec-sealed-signing-0123456789";
        var cipher = TestSecrets.Cipher(new Dictionary<string, string> { [TestSecrets.KeyId] = TestSecrets.Key });
        var lost = TestSecrets.Cipher(new Dictionary<string, string> { ["removed"] = TestSecrets.RandomKey() }).Seal("whsec-lost-0123456789");
        var received = Channel.CreateUnbounded<(string Key, byte[] Body, string Signature)>();
        await using var notifier = new BudgetAlertNotifier(new CapturingFactory(received.Writer), TimeProvider.System, cipher, NullLogger<BudgetAlertNotifier>.Instance);

        // One worker, in order: once the second has arrived, the first was dropped, not pending.
        notifier.Enqueue(Alert("lost"), "http://hooks.test/alerts", lost);
        notifier.Enqueue(Alert("sealed"), "http://hooks.test/alerts", cipher.Seal(Secret));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var (key, body, signature) = await received.Reader.ReadAsync(timeout.Token);
        Assert.Equal("sealed", key);
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Secret), body)), signature);
        Assert.False(received.Reader.TryRead(out _));
    }

    private static BudgetAlert Alert(string keyId) => new(keyId, keyId, "day", "2026-03-01", 50, 5m, 10m, DateTimeOffset.UnixEpoch);

    private sealed class CapturingFactory(ChannelWriter<(string, byte[], string)> received) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => new(new Capturing(received));
    }

    private sealed class Capturing(ChannelWriter<(string, byte[], string)> received) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var keyId = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("key_id").GetString()!;
            await received.WriteAsync((keyId, body, request.Headers.GetValues(BudgetAlertNotifier.SignatureHeader).Single()), cancellationToken);
            return new HttpResponseMessage(System.Net.HttpStatusCode.OK);
        }
    }
}
