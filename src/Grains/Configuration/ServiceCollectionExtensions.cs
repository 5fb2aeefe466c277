using System.Net;
using ImageOrleans.Grains.Accounts;
using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.Billing;
using ImageOrleans.Grains.Caching;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Idempotency;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Maintenance;
using ImageOrleans.Grains.Models;
using ImageOrleans.Grains.Pool;
using ImageOrleans.Grains.Queueing;
using ImageOrleans.Grains.Requests;
using ImageOrleans.Grains.Secrets;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace ImageOrleans.Grains.Configuration;

public static class ServiceCollectionExtensions
{
    /// <summary>Options, domain services and upstream clients that the grains of a silo need.</summary>
    public static IServiceCollection AddImageOrleansGrainServices(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var root = configuration.GetSection(ImageOrleansOptions.SectionName);
        services.AddOptions<ImageOrleansOptions>().Bind(root).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ImageOrleansOptions>, ImageOrleansOptionsValidator>();
        services.AddOptions<CacheOptions>().Bind(root.GetSection("Cache")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CacheOptions>, CacheOptionsValidator>();
        services.AddOptions<DispatchOptions>().Bind(root.GetSection("Dispatch")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DispatchOptions>, DispatchOptionsValidator>();
        services.AddOptions<AccountPolicyOptions>().Bind(root.GetSection("AccountPolicy")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AccountPolicyOptions>, AccountPolicyOptionsValidator>();
        services.AddSingleton<SharedLimitWatch>();
        services.AddOptions<ImagesOptions>().Bind(root.GetSection("Images")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ImagesOptions>, ImagesOptionsValidator>();
        services.AddOptions<IdempotencyOptions>().Bind(root.GetSection("Idempotency")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<IdempotencyOptions>, IdempotencyOptionsValidator>();
        services.AddOptions<UpstreamsOptions>().Bind(root.GetSection(UpstreamsOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<UpstreamsOptions>, UpstreamsOptionsValidator>();
        services.AddSingleton<IValidateOptions<ImageOrleansOptions>, EgressOptionsValidator>();
        services.AddOptions<BatchesOptions>().Bind(root.GetSection(BatchesOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BatchesOptions>, BatchesOptionsValidator>();
        services.AddOptions<BillingOptions>().Bind(root.GetSection("Billing")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BillingOptions>, BillingOptionsValidator>();

        services.AddImageOrleansSecrets(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new ModelCatalogue(sp.GetRequiredService<IOptions<ImageOrleansOptions>>().Value.Models));
        services.TryAddSingleton<ImageRequestValidator>();
        services.AddOptions<ModelAliasOptions>().Bind(configuration.GetSection(ModelAliasOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ModelAliasOptions>, ModelAliasOptionsValidator>();
        services.TryAddSingleton<ModelResolver>();
        services.AddOptions<UploadOptions>().Bind(root.GetSection("Uploads"));
        services.TryAddSingleton<StreamRelay>();
        services.AddOptions<ContentCheckOptions>().Bind(root.GetSection("ContentChecks"));
        services.TryAddSingleton<PromptBlocklist>();
        services.TryAddSingleton(sp =>
        {
            var dataPath = sp.GetRequiredService<IOptions<ImageOrleansOptions>>().Value.ResolveDataPath(contentRoot);
            var store = new UploadStore(Path.GetFullPath(sp.GetRequiredService<IOptions<UploadOptions>>().Value.Path, dataPath));

            // Uploads outlive their request only when a silo died mid-request: an hour is plenty.
            store.DeleteOlderThan(sp.GetRequiredService<TimeProvider>().GetUtcNow() - TimeSpan.FromHours(1));
            return store;
        });
        services.TryAddSingleton(sp => new PriceTable(sp.GetRequiredService<IOptions<BillingOptions>>().Value.Prices));
        services.TryAddSingleton<CostCalculator>();
        services.TryAddSingleton(new StorageDurability(Durable: true));
        services.TryAddSingleton<ImageOrleansMetrics>();
        services.TryAddSingleton<BudgetAlertNotifier>();
        services.TryAddSingleton<SettlementBook>();
        services.AddMetrics();
        services.TryAddSingleton<EgressPolicy>();

        // Webhooks go where their key says and nowhere else: a redirect could point anywhere.
        services.AddHttpClient(BudgetAlertNotifier.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,

                // No proxy from the environment: the connect check must see the real target.
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<EgressPolicy>().ConnectAsync,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            });
        services.TryAddSingleton<AccountDirectory>();
        services.TryAddSingleton<AccountLoadCache>();
        services.TryAddSingleton<AccountRouter>();
        services.TryAddSingleton<CanaryRouter>();
        services.TryAddSingleton<LeaseBroker>();
        services.TryAddSingleton<OutcomeReporter>();
        services.TryAddSingleton<CapacityScheduler>();
        services.TryAddSingleton<DispatchActivity>();
        services.TryAddSingleton<Dispatcher>();
        services.TryAddSingleton<GrainReferences>();
        services.TryAddSingleton(sp => RetryBudget.From(sp.GetRequiredService<IOptions<DispatchOptions>>().Value));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, CapacitySchedulerLifecycle>();
        services.TryAddSingleton<EmbeddedSimulatorEndpoint>();
        services.TryAddSingleton<OpenAIUpstreamClient>();
        services.TryAddSingleton<AzureOpenAIUpstreamClient>();
        services.TryAddSingleton<CompatibleUpstreamClient>();
        services.TryAddSingleton<UpstreamClients>();
        services.TryAddSingleton<AnswersBeingSent>();
        services.TryAddSingleton<ImageWriteBehind>();
        services.TryAddSingleton<CachedAnswers>();
        services.TryAddSingleton<ExpiryNotes>();
        services.TryAddSingleton<IImageStore>(sp =>
        {
            var images = sp.GetRequiredService<IOptions<ImagesOptions>>().Value;
            if (images.Store == ImageStoreKind.S3)
            {
                return new S3ImageStore(S3ClientFactory.Create(images.S3), images.S3);
            }

            var dataPath = sp.GetRequiredService<IOptions<ImageOrleansOptions>>().Value.ResolveDataPath(contentRoot);
            return new FileImageStore(Path.GetFullPath(images.StorePath, dataPath));
        });

        // No logging handlers and no redirects: upstream image APIs never redirect, and every call is
        // already logged by the dispatcher with what matters (account, outcome), never its key.
        services.AddHttpClient(HttpUpstreamClient.HttpClientName)
            .RemoveAllLoggers()
            .ConfigureHttpClient(client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                // Only to hosts the egress policy allows, checked on the addresses actually connected to,
                // never through a proxy from the environment (the check would see the proxy, not the target).
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<EgressPolicy>().ConnectAsync,

                // Long-lived pool, but recycled so DNS changes of an upstream are picked up.
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = int.MaxValue,
                AutomaticDecompression = DecompressionMethods.All,
                AllowAutoRedirect = false,
                ConnectTimeout = TimeSpan.FromSeconds(15),
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan);
        return services;
    }
}
