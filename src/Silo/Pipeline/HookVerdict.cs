namespace ImageOrleans.Silo.Pipeline;

/// <summary>The output hook's answer for one image.</summary>
public sealed record HookVerdict(bool Allowed);
