using System.Collections.Concurrent;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>
/// A gateway with blocked terms (for everyone, for tenant-a's key, for tenant-b's tenant) and an output
/// hook: a small server that fetches each image through its signed link and refuses the images of the
/// keys a test puts in <see cref="RefusedKeys"/>.
/// </summary>
public sealed class ContentCheckGatewayFixture : AdminGatewayFixture, IAsyncLifetime
{
    private WebApplication? _hook;

    /// <summary>What the hook was asked, and whether the signed link gave it a PNG.</summary>
    public ConcurrentQueue<(JsonElement Request, bool FetchedPng)> HookCalls { get; } = new();

    /// <summary>Client key ids whose images the hook refuses.</summary>
    public ConcurrentDictionary<string, bool> RefusedKeys { get; } = new();

    private string HookUrl => _hook!.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First() + "/check";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        .. base.Settings,
        new("ImageOrleans:ContentChecks:BlockedTerms:0", "forbidden fruit"),
        new("ImageOrleans:ContentChecks:Keys:tenant-a:0", "dragon"),
        new("ImageOrleans:ContentChecks:Tenants:tenant-b:0", "unicorn"),
        new("ImageOrleans:ContentChecks:OutputHookUrl", HookUrl),
    ];

    public new async Task InitializeAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _hook = builder.Build();
        _hook.MapPost("/check", async (HttpContext context) =>
        {
            var request = await context.Request.ReadFromJsonAsync<JsonElement>();
            var image = await new HttpClient().GetByteArrayAsync(request.GetProperty("image_url").GetString());
            HookCalls.Enqueue((request, image is [0x89, 0x50, 0x4E, 0x47, ..]));
            await context.Response.WriteAsJsonAsync(new { allowed = !RefusedKeys.ContainsKey(request.GetProperty("key_id").GetString()!) });
        });
        await _hook.StartAsync();
        Start();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        if (_hook is not null)
        {
            await _hook.DisposeAsync();
        }
    }
}
