namespace ImageOrleans.Simulator.Api;

/// <summary>OpenAI's error body: {"error":{"message","type","param","code"}}, with param and code written even when null.</summary>
internal sealed record ErrorEnvelope(ErrorBody Error);
