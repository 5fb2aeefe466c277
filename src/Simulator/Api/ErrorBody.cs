namespace ImageOrleans.Simulator.Api;

internal sealed record ErrorBody(string Message, string Type, string? Param, string? Code);
