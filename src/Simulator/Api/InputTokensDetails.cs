namespace ImageOrleans.Simulator.Api;

internal sealed record InputTokensDetails(long TextTokens, long ImageTokens);
