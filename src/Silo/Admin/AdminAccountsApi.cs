using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Upstreams;
using ImageOrleans.Silo.Api;

namespace ImageOrleans.Silo.Admin;

public static class AdminAccountsApi
{
    public static IEndpointRouteBuilder MapAdminAccountsApi(this IEndpointRouteBuilder routes)
    {
        var accounts = routes.MapGroup("/admin/accounts").WithTags("Admin: accounts").AddEndpointFilter<AdminAuthenticationFilter>();

        accounts.MapGet("/", async (IGrainFactory grains) =>
            {
                var snapshot = await grains.GetGrain<IPoolGrain>(0).GetSnapshotAsync();
                var statuses = await Task.WhenAll(snapshot.Accounts.Select(a => grains.GetGrain<IAccountGrain>(a.Id).GetStatusAsync().AsTask()));
                var views = snapshot.Accounts.Zip(statuses, AccountView.Of).ToList();
                return Results.Json(new { @object = "list", data = views }, AdminJson.Options);
            })
            .WithName("AdminListAccounts")
            .WithSummary("Lists the upstream accounts with their live status (keys masked).");

        accounts.MapGet("/{id}", async (string id, IGrainFactory grains) =>
            {
                var account = await grains.GetGrain<IPoolGrain>(0).GetAccountAsync(id);
                return account is null
                    ? OpenAIErrors.Result(NotFound(id))
                    : Results.Json(AccountView.Of(account, await grains.GetGrain<IAccountGrain>(id).GetStatusAsync()), AdminJson.Options);
            })
            .WithName("AdminGetAccount")
            .WithSummary("One upstream account with its live status.");

        accounts.MapPost("/", AddAsync)
            .WithName("AdminAddAccount")
            .WithSummary("Adds an upstream account; api_key is write-only and never shown again.");

        accounts.MapPatch("/{id}", UpdateAsync)
            .WithName("AdminUpdateAccount")
            .WithSummary("Changes an account's limits, weight, group, models, key or enabled flag; fields left out stay as they are.");

        accounts.MapDelete("/{id}", async (string id, IGrainFactory grains, AccountDirectory directory) =>
            {
                if (!await grains.GetGrain<IPoolGrain>(0).RemoveAsync(id))
                {
                    return OpenAIErrors.Result(NotFound(id));
                }

                await directory.RefreshAsync();
                return Results.Json(new { id, @object = "account", deleted = true }, AdminJson.Options);
            })
            .WithName("AdminRemoveAccount")
            .WithSummary("Removes an account from the pool; requests in flight on it finish.");

        accounts.MapPost("/{id}/drain", (string id, IGrainFactory grains, AccountLoadCache loads) =>
                ActAsync(id, grains, loads, account => account.SetDrainingAsync(true)))
            .WithName("AdminDrainAccount")
            .WithSummary("Stops new leases on an account and lets those in flight finish; kept across restarts.");

        accounts.MapPost("/{id}/resume", (string id, IGrainFactory grains, AccountLoadCache loads) =>
                ActAsync(id, grains, loads, account => account.SetDrainingAsync(false)))
            .WithName("AdminResumeAccount")
            .WithSummary("Ends a drain.");

        accounts.MapPost("/{id}/reset-health", (string id, IGrainFactory grains, AccountLoadCache loads) =>
                ActAsync(id, grains, loads, account => account.ResetHealthAsync()))
            .WithName("AdminResetAccountHealth")
            .WithSummary("Closes the breaker, ends a cool-down, clears model exclusions and learned limits.");

        var canary = routes.MapGroup("/admin/canary").WithTags("Admin: canary").AddEndpointFilter<AdminAuthenticationFilter>();
        canary.MapGet("/", async (IGrainFactory grains) =>
            {
                var splits = await grains.GetGrain<ICanaryGrain>(0).GetAsync();
                return Results.Json(new { @object = "list", data = splits.Select(s => CanaryView(s.Key, s.Value)).ToList() }, AdminJson.Options);
            })
            .WithName("AdminListCanaries")
            .WithSummary("Lists the canary splits: per model, the share of its traffic sent to one group.");

        canary.MapPut("/{model}", SetCanaryAsync)
            .WithName("AdminSetCanary")
            .WithSummary("Sends a share (above 0, at most 1) of a model's traffic to a group, optionally sticky per client key; takes effect at once.");

        canary.MapDelete("/{model}", async (string model, IGrainFactory grains, CanaryRouter router) =>
            {
                await grains.GetGrain<ICanaryGrain>(0).SetAsync(model, null);
                await router.RefreshAsync();
                return Results.Json(new { model, @object = "canary", deleted = true }, AdminJson.Options);
            })
            .WithName("AdminRemoveCanary")
            .WithSummary("Ends a model's canary split.");
        return routes;
    }

    private static async Task<IResult> SetCanaryAsync(string model, HttpContext http, IGrainFactory grains, CanaryRouter router)
    {
        var (fields, error) = await JsonFields.ReadAsync(http.Request);
        if (error is not null)
        {
            return OpenAIErrors.Result(error);
        }

        var group = fields!.Text("group", 200);
        var share = fields.Real("share", 0, 1);
        var sticky = fields.Flag("sticky") ?? false;
        if (group is null)
        {
            fields.Fail(GatewayErrors.Missing("group"));
        }

        if (share is null)
        {
            fields.Fail(GatewayErrors.Missing("share"));
        }

        fields.RejectUnknown();
        if (fields.Error is { } invalid)
        {
            return OpenAIErrors.Result(invalid);
        }

        var split = new CanarySplit { Group = group!, Share = share!.Value, Sticky = sticky };
        await grains.GetGrain<ICanaryGrain>(0).SetAsync(model, split);
        await router.RefreshAsync();
        return Results.Json(CanaryView(model, split), AdminJson.Options);
    }

    private static object CanaryView(string model, CanarySplit split) =>
        new { model, @object = "canary", group = split.Group, share = split.Share, sticky = split.Sticky };

    private static async Task<IResult> AddAsync(HttpContext http, IGrainFactory grains, AccountDirectory directory, AccountLoadCache loads, EgressPolicy egress)
    {
        var (fields, error) = await JsonFields.ReadAsync(http.Request);
        if (error is not null)
        {
            return OpenAIErrors.Result(error);
        }

        var id = fields!.Text("id", 64);
        if (fields.Error is null && (id is null || !ClientKeyInput.IsValidId(id)))
        {
            fields.Fail(id is null ? GatewayErrors.Missing("id") : GatewayErrors.Invalid("id", "'id' may hold 1 to 64 letters, digits, '-', '_' or '.'."));
        }

        var account = AccountInput.Apply(fields, id ?? string.Empty, null, egress);
        fields.RejectUnknown();
        if (fields.Error is { } invalid)
        {
            return OpenAIErrors.Result(invalid);
        }

        var pool = grains.GetGrain<IPoolGrain>(0);
        if (await pool.GetAccountAsync(id!) is not null)
        {
            return OpenAIErrors.Result(new GatewayError
            {
                Status = 409,
                Type = GatewayErrors.InvalidRequestType,
                Message = $"An upstream account '{id}' already exists; change it with PATCH.",
                Param = "id",
                Code = "account_exists",
            });
        }

        var stored = await pool.UpsertAsync(account);
        await directory.RefreshAsync();
        var status = await FreshStatusAsync(grains.GetGrain<IAccountGrain>(stored.Id), loads);
        return Results.Json(AccountView.Of(stored, status), AdminJson.Options, statusCode: StatusCodes.Status201Created);
    }

    private static async Task<IResult> UpdateAsync(string id, HttpContext http, IGrainFactory grains, AccountDirectory directory, AccountLoadCache loads, EgressPolicy egress)
    {
        var pool = grains.GetGrain<IPoolGrain>(0);
        if (await pool.GetAccountAsync(id) is not { } current)
        {
            return OpenAIErrors.Result(NotFound(id));
        }

        var (fields, error) = await JsonFields.ReadAsync(http.Request);
        if (error is not null)
        {
            return OpenAIErrors.Result(error);
        }

        var account = AccountInput.Apply(fields!, id, current, egress);
        fields!.RejectUnknown();
        if (fields.Error is { } invalid)
        {
            return OpenAIErrors.Result(invalid);
        }

        var stored = await pool.UpsertAsync(account);
        await directory.RefreshAsync();
        return Results.Json(AccountView.Of(stored, await FreshStatusAsync(grains.GetGrain<IAccountGrain>(id), loads)), AdminJson.Options);
    }

    private static async Task<IResult> ActAsync(string id, IGrainFactory grains, AccountLoadCache loads, Func<IAccountGrain, ValueTask> action)
    {
        if (await grains.GetGrain<IPoolGrain>(0).GetAccountAsync(id) is not { } account)
        {
            return OpenAIErrors.Result(NotFound(id));
        }

        var grain = grains.GetGrain<IAccountGrain>(id);
        await action(grain);
        return Results.Json(AccountView.Of(account, await FreshStatusAsync(grain, loads)), AdminJson.Options);
    }

    /// <summary>
    /// The account's status after a change, also handed to this silo's routing view so it stops
    /// trusting what it saw before (other silos catch up within seconds, from their next lease).
    /// </summary>
    private static async Task<AccountStatus> FreshStatusAsync(IAccountGrain grain, AccountLoadCache loads)
    {
        var status = await grain.GetStatusAsync();
        loads.Observe(status.Load);
        return status;
    }

    public static GatewayError NotFound(string id) => new()
    {
        Status = 404,
        Type = GatewayErrors.InvalidRequestType,
        Message = $"No upstream account '{id}'.",
        Param = "id",
        Code = "account_not_found",
    };
}
