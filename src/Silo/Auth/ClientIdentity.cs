namespace ImageOrleans.Silo.Auth;

/// <summary>Who a request comes from, once its key checked out.</summary>
public sealed record ClientIdentity(string KeyId, string Name, string Tenant);
