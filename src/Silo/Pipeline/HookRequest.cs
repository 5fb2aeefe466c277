namespace ImageOrleans.Silo.Pipeline;

/// <summary>What the output hook is sent for one image: who asked, which model made it, and a signed link to it.</summary>
public sealed record HookRequest(string RequestId, string KeyId, string Tenant, string Model, string ImageUrl, string ContentType);
