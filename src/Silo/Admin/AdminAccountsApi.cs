using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Pool;
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
        return routes;
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
