using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Silo.Api;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Admin;

/// <summary>
/// <c>/admin/keys</c>: client keys. The secret is returned once, when a key is created or rotated,
/// and is kept only as its SHA-256. Changes hold cluster-wide within a second.
/// </summary>
public static class AdminKeysApi
{
    public static IEndpointRouteBuilder MapAdminKeysApi(this IEndpointRouteBuilder routes)
    {
        var keys = routes.MapGroup("/admin/keys").WithTags("Admin: client keys").AddEndpointFilter<AdminAuthenticationFilter>();

        keys.MapGet("/", async (IGrainFactory grains) =>
            {
                var ids = await grains.GetGrain<IClientKeyRegistryGrain>(0).GetKeyIdsAsync();
                var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IClientKeyGrain>(id).GetAsync().AsTask()));
                var data = views.OfType<ClientKeyView>().Select(v => ClientKeyAdminView.Of(v)).ToList();
                return Results.Json(new { @object = "list", data }, AdminJson.Options);
            })
            .WithName("AdminListKeys")
            .WithSummary("Lists the client keys, masked, with their settings and spend.");

        keys.MapPost("/", CreateAsync)
            .WithName("AdminCreateKey")
            .WithSummary("Creates a client key; the response holds the key, shown this once.");

        keys.MapGet("/{id}", async (string id, IGrainFactory grains) =>
                await grains.GetGrain<IClientKeyGrain>(id).GetAsync() is { } view
                    ? Results.Json(ClientKeyAdminView.Of(view), AdminJson.Options)
                    : OpenAIErrors.Result(NotFound(id)))
            .WithName("AdminGetKey")
            .WithSummary("One client key: settings, masked key, spend.");

        keys.MapPatch("/{id}", UpdateAsync)
            .WithName("AdminUpdateKey")
            .WithSummary("Changes a client key's settings; fields left out stay as they are, null clears an optional one.");

        keys.MapPost("/{id}/rotate", RotateAsync)
            .WithName("AdminRotateKey")
            .WithSummary("Issues a new key; the old one keeps working for grace_seconds (default: Billing:RotationGrace).");

        keys.MapPost("/{id}/revoke", async (string id, IGrainFactory grains, ClientKeyDirectory directory) =>
            {
                var view = await grains.GetGrain<IClientKeyGrain>(id).RevokeAsync();
                directory.Forget(id);
                return view is null ? OpenAIErrors.Result(NotFound(id)) : Results.Json(ClientKeyAdminView.Of(view), AdminJson.Options);
            })
            .WithName("AdminRevokeKey")
            .WithSummary("Revokes a client key (and any rotated-out predecessor) cluster-wide within a second.");
        return routes;
    }

    public static GatewayError NotFound(string id) => new()
    {
        Status = 404,
        Type = GatewayErrors.InvalidRequestType,
        Message = $"No client key '{id}'.",
        Param = "id",
        Code = "key_not_found",
    };

    private static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, ClientKeyDirectory directory, IOptions<BillingOptions> billing, EgressPolicy egress)
    {
        var (fields, error) = await JsonFields.ReadAsync(http.Request);
        if (error is not null)
        {
            return OpenAIErrors.Result(error);
        }

        var id = fields!.Text("id", 64) ?? "key_" + DataFolder.RandomToken(9);
        if (fields.Error is null && !ClientKeyInput.IsValidId(id))
        {
            fields.Fail(GatewayErrors.Invalid("id", "'id' may hold 1 to 64 letters, digits, '-', '_' or '.'."));
        }

        var defaults = new ClientKeySettings
        {
            Name = id,
            RequestsPerMinute = billing.Value.DefaultRequestsPerMinute,
            ImagesPerMinute = billing.Value.DefaultImagesPerMinute,
        };
        var settings = ClientKeyInput.Apply(fields, defaults, egress);
        fields.RejectUnknown();
        if (fields.Error is { } invalid)
        {
            return OpenAIErrors.Result(invalid);
        }

        var secret = NewSecret();
        try
        {
            var view = await grains.GetGrain<IClientKeyGrain>(id).CreateAsync(settings, ClientKeyHasher.HashHex(secret), ClientKeySecret.Hint(secret));
            directory.Forget(id);
            return Results.Json(ClientKeyAdminView.Of(view, secret), AdminJson.Options, statusCode: StatusCodes.Status201Created);
        }
        catch (InvalidOperationException)
        {
            return OpenAIErrors.Result(new GatewayError
            {
                Status = 409,
                Type = GatewayErrors.InvalidRequestType,
                Message = $"A client key '{id}' already exists.",
                Param = "id",
                Code = "key_exists",
            });
        }
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, IGrainFactory grains, ClientKeyDirectory directory, EgressPolicy egress)
    {
        var grain = grains.GetGrain<IClientKeyGrain>(id);
        if (await grain.GetAsync() is not { } current)
        {
            return OpenAIErrors.Result(NotFound(id));
        }

        var (fields, error) = await JsonFields.ReadAsync(http.Request);
        if (error is not null)
        {
            return OpenAIErrors.Result(error);
        }

        var settings = ClientKeyInput.Apply(fields!, current.Settings, egress);
        fields!.RejectUnknown();
        if (fields.Error is { } invalid)
        {
            return OpenAIErrors.Result(invalid);
        }

        var view = await grain.UpdateAsync(settings);
        directory.Forget(id);
        return view is null ? OpenAIErrors.Result(NotFound(id)) : Results.Json(ClientKeyAdminView.Of(view), AdminJson.Options);
    }

    private static async Task<IResult> RotateAsync(string id, HttpContext http, IGrainFactory grains, ClientKeyDirectory directory, IOptions<BillingOptions> billing)
    {
        var (fields, error) = await JsonFields.ReadAsync(http.Request, emptyAllowed: true);
        if (error is not null)
        {
            return OpenAIErrors.Result(error);
        }

        var graceSeconds = fields!.WholeNumber("grace_seconds", 0, (int)TimeSpan.FromDays(30).TotalSeconds);
        fields.RejectUnknown();
        if (fields.Error is { } invalid)
        {
            return OpenAIErrors.Result(invalid);
        }

        var grace = graceSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : billing.Value.RotationGrace;
        var secret = NewSecret();
        var view = await grains.GetGrain<IClientKeyGrain>(id).RotateAsync(ClientKeyHasher.HashHex(secret), ClientKeySecret.Hint(secret), grace);
        directory.Forget(id);
        return view is null
            ? OpenAIErrors.Result(NotFound(id) with { Message = $"No active client key '{id}' (revoked keys cannot be rotated)." })
            : Results.Json(ClientKeyAdminView.Of(view, secret), AdminJson.Options);
    }

    private static string NewSecret() => "sk-io-" + DataFolder.RandomToken(30);
}
