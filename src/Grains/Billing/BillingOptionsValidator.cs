using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Billing;

public sealed class BillingOptionsValidator : IValidateOptions<BillingOptions>
{
    public ValidateOptionsResult Validate(string? name, BillingOptions options)
    {
        try
        {
            options.Zone();
        }
        catch (TimeZoneNotFoundException)
        {
            return ValidateOptionsResult.Fail($"ImageOrleans:Billing:TimeZone '{options.TimeZone}' is not a known time zone (use an IANA id such as 'UTC' or 'Europe/Paris').");
        }

        return options.RotationGrace < TimeSpan.Zero || options.DefaultRequestsPerMinute < 0 || options.DefaultImagesPerMinute < 0
            ? ValidateOptionsResult.Fail("ImageOrleans:Billing: RotationGrace and the default limits must not be negative.")
            : ValidateOptionsResult.Success;
    }
}
