using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Secrets;

public static class SecretsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <c>ImageOrleans:Secrets</c>, checked at start-up, and the cipher that seals upstream keys and
    /// webhook secrets. Every process that sends or stores them (silos, Orleans clients) needs it.
    /// </summary>
    public static IServiceCollection AddImageOrleansSecrets(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecretsOptions>().Bind(configuration.GetSection(SecretsOptions.SectionName)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SecretsOptions>, SecretsOptionsValidator>());
        services.TryAddSingleton<SecretCipher>();
        return services;
    }
}
