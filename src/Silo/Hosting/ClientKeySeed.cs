using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Silo.Auth;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>The client keys configuration seeds the cluster with: those under <c>ImageOrleans:ClientKeys</c> and the development key.</summary>
public sealed class ClientKeySeed(IOptions<ImageOrleansOptions> root, IOptions<BillingOptions> billing, DevClientKey dev)
{
    public async Task ApplyAsync(IGrainFactory grains)
    {
        foreach (var (id, options) in root.Value.ClientKeys)
        {
            var hash = options.KeyHash is { Length: 64 } given ? given.ToLowerInvariant() : ClientKeyHasher.HashHex(options.Key!);
            var hint = options.Key is { Length: > 0 } key ? ClientKeySecret.Hint(key) : "(configured by hash)";
            var settings = options.ToSettings(id, billing.Value);
            await grains.GetGrain<IClientKeyGrain>(id).SeedAsync(settings, hash, hint, Fingerprint(hash, settings, options.WebhookSecret));
        }

        if (dev.Value is { } devKey)
        {
            var settings = new ClientKeySettings
            {
                Name = "Development key",
                Tenant = "dev",
                RequestsPerMinute = billing.Value.DefaultRequestsPerMinute,
                ImagesPerMinute = billing.Value.DefaultImagesPerMinute,
            };
            var hash = ClientKeyHasher.HashHex(devKey);
            await grains.GetGrain<IClientKeyGrain>(DevClientKey.Id).SeedAsync(settings, hash, ClientKeySecret.Hint(devKey), Fingerprint(hash, settings, null));
        }
    }

    private static string Fingerprint(string hash, ClientKeySettings settings, string? webhookSecret)
    {
        var text = hash + "|" + JsonSerializer.Serialize(settings with { WebhookSecret = Grains.Pool.UpstreamSecret.Empty })
                   + "|" + ClientKeyHasher.HashHex(webhookSecret ?? string.Empty);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
