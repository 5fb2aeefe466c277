using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Pool;

namespace ImageOrleans.Silo.Admin;

/// <summary>An upstream account as operators see it: its definition with the key masked, and its live status.</summary>
public sealed record AccountView(
    string Id,
    string Kind,
    string? BaseUrl,
    string ApiKey,
    IReadOnlyList<string> Models,
    IReadOnlyDictionary<string, string> Deployments,
    int RequestsPerMinute,
    int ImagesPerMinute,
    int MaxConcurrency,
    double TimeoutSeconds,
    double Weight,
    bool Enabled,
    string? Group,
    int GroupPriority,
    string? LimitScope,
    decimal PriceFactor,
    AccountStatusView? Status)
{
    public static AccountView Of(UpstreamAccount account, AccountStatus? status) => new(
        account.Id,
        AccountInput.Kinds.First(k => k.Value == account.Kind).Key,
        account.BaseUrl,
        account.ApiKey.Masked,
        account.Models,
        account.Deployments,
        account.RequestsPerMinute,
        account.ImagesPerMinute,
        account.MaxConcurrency,
        account.Timeout.TotalSeconds,
        account.Weight,
        account.Enabled,
        account.Group,
        account.GroupPriority,
        account.LimitScope,
        account.PriceFactor,
        status is null ? null : AccountStatusView.Of(status));
}
