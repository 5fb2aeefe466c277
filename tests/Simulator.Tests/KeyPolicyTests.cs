using System.Net;
using System.Net.Http.Headers;
using ImageOrleans.Simulator.Tests.TestSupport;
using Xunit;

namespace ImageOrleans.Simulator.Tests;

public sealed class KeyPolicyTests : IAsyncLifetime
{
    private SimulatorHost _host = null!;

    public async Task InitializeAsync() => _host = await SimulatorHost.StartAsync(new SimulatorOptions
    {
        Keys =
        [
            new SimulatedKey { Key = "sk-revoked-key-0001", Revoked = true },
            new SimulatedKey { Key = "sk-no-quota-key-0001", InsufficientQuota = true },
            new SimulatedKey { Key = "sk-unverified-org-01", ForbiddenModels = ["gpt-image-1"] },
            new SimulatedKey { Key = "sk-dalle-only-key-01", Models = ["dall-e-2", "dall-e-3"] },
        ],
    });

    public async Task DisposeAsync() => await _host.DisposeAsync();

    [Fact]
    public async Task ARevokedKeyIs401InvalidApiKey()
    {
        using var response = await _host.Client.GenerateAsync("sk-revoked-key-0001");

        var error = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("invalid_api_key", error.GetProperty("code").GetString());
        Assert.Contains("sk-...0001", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, _host.Stats.Keys["sk-revoked-key-0001"].RefusedAuth);
    }

    [Fact]
    public async Task InsufficientQuotaIs429WithoutRetryAfter()
    {
        using var response = await _host.Client.GenerateAsync("sk-no-quota-key-0001");

        var error = await response.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.Equal("insufficient_quota", error.GetProperty("type").GetString());
        Assert.Equal("insufficient_quota", error.GetProperty("code").GetString());
        Assert.StartsWith("You exceeded your current quota, please check your plan and billing details.", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Null(response.Header("retry-after"));
        Assert.Equal(1, _host.Stats.Keys["sk-no-quota-key-0001"].RefusedQuota);
    }

    [Fact]
    public async Task AForbiddenModelIs403AndOtherModelsWork()
    {
        using var forbidden = await _host.Client.GenerateAsync("sk-unverified-org-01", model: "gpt-image-1");
        using var allowed = await _host.Client.GenerateAsync("sk-unverified-org-01", model: "dall-e-3");

        var error = await forbidden.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.StatusCode);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.StartsWith("Your organization must be verified to use the model `gpt-image-1`", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, allowed.StatusCode);
        Assert.Equal(1, _host.Stats.Keys["sk-unverified-org-01"].RefusedForbidden);
    }

    [Fact]
    public async Task AModelOutsideTheKeysListIs404()
    {
        using var missing = await _host.Client.GenerateAsync("sk-dalle-only-key-01", model: "gpt-image-1");
        using var served = await _host.Client.GenerateAsync("sk-dalle-only-key-01", model: "dall-e-2");

        var error = await missing.ReadErrorAsync();
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("model_not_found", error.GetProperty("code").GetString());
        Assert.Equal(HttpStatusCode.OK, served.StatusCode);
    }

    [Fact]
    public async Task TheDefaultModelIsDallE2()
    {
        using var response = await _host.Client.GenerateAsync("sk-dalle-only-key-01", model: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False((await response.ReadJsonAsync()).TryGetProperty("usage", out _));
    }

    [Fact]
    public async Task AKeyRestrictedToSomeModelsListsOnlyThose()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v1/models");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-dalle-only-key-01");

        using var response = await _host.Client.SendAsync(request);

        var ids = (await response.ReadJsonAsync()).GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString());
        Assert.Equal(["dall-e-2", "dall-e-3"], ids);
    }
}
