namespace ImageOrleans.Grains.Upstreams;

internal static class BaseUrl
{
    /// <summary>The account's base URL (or the fallback) with a trailing slash, so relative paths append instead of replace.</summary>
    public static Uri WithTrailingSlash(string? configured, Uri? fallback)
    {
        var text = string.IsNullOrWhiteSpace(configured)
            ? fallback?.ToString() ?? throw new InvalidOperationException("The account has no base URL and none can be inferred for its kind.")
            : configured;
        return new Uri(text.EndsWith('/') ? text : text + "/", UriKind.Absolute);
    }
}
