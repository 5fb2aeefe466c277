namespace ImageOrleans.Silo.Auth;

public static class HttpContextClientExtensions
{
    private static readonly object Key = new();

    public static void SetClient(this HttpContext context, ClientIdentity identity) => context.Items[Key] = identity;

    /// <summary>The authenticated client; only valid behind <see cref="ClientAuthenticationFilter"/>.</summary>
    public static ClientIdentity GetClient(this HttpContext context) =>
        context.Items[Key] as ClientIdentity ?? throw new InvalidOperationException("The endpoint is not behind client authentication.");

    /// <summary>The authenticated client, or null when none was (yet) authenticated.</summary>
    public static ClientIdentity? TryGetClient(this HttpContext context) => context.Items[Key] as ClientIdentity;
}
