using System.Net.Http.Json;
using System.Text.Json;

namespace ImageOrleans.Gateway.Tests.Infrastructure;

/// <summary>A started gateway with the admin API open, and helpers to create client keys through it.</summary>
public class AdminGatewayFixture : GatewayFixture
{
    public const string AdminKey = "sk-test-admin-key-0123456789abcdef";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings =>
    [
        new("ImageOrleans:Admin:Key", AdminKey),
    ];

    public HttpClient Admin() => Http(AdminKey);

    /// <summary>Creates a client key with <paramref name="settings"/> (admin API fields) and returns its id and secret.</summary>
    public async Task<(string Id, string Secret)> CreateKeyAsync(object settings)
    {
        using var admin = Admin();
        using var response = await admin.PostAsJsonAsync("/admin/keys", settings);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        if (response.StatusCode != System.Net.HttpStatusCode.Created)
        {
            throw new InvalidOperationException($"Creating a key failed: {(int)response.StatusCode} {body}");
        }

        return (body.GetProperty("id").GetString()!, body.GetProperty("key").GetString()!);
    }

    public async Task<JsonElement> KeyAsync(string id)
    {
        using var admin = Admin();
        return await admin.GetFromJsonAsync<JsonElement>($"/admin/keys/{id}");
    }
}
