using Microsoft.Extensions.Options;

namespace ImageOrleans.Silo.Hosting;

/// <summary>Checks <c>ImageOrleans:FrontDoor</c> at start-up, naming the setting that is wrong.</summary>
public sealed class FrontDoorOptionsValidator : IValidateOptions<FrontDoorOptions>
{
    private const long MinBody = 16 * 1024;

    public ValidateOptionsResult Validate(string? name, FrontDoorOptions options) =>
        options.MaxRequestBodyBytes < MinBody
            ? ValidateOptionsResult.Fail($"ImageOrleans:FrontDoor:MaxRequestBodyBytes must be at least {MinBody} (a full-length prompt must fit), not {options.MaxRequestBodyBytes}.")
            : ValidateOptionsResult.Success;
}
