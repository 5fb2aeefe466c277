namespace ImageOrleans.Silo.Admin;

/// <summary>Why an account is out of rotation for a model ("*": every model), and when it is tried again.</summary>
public sealed record ExclusionView(string Reason, string? Detail, DateTimeOffset Since, DateTimeOffset RecheckAt);
