namespace ImageOrleans.Simulator.Api;

/// <summary>Token usage reported by gpt-image models.</summary>
internal sealed record ImageUsage(long TotalTokens, long InputTokens, long OutputTokens, InputTokensDetails InputTokensDetails);
