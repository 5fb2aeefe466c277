using System.Text;
using ImageOrleans.Grains.Batches;
using ImageOrleans.Grains.ClientKeys;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Errors;
using ImageOrleans.Grains.Images;
using ImageOrleans.Silo.Admin;
using ImageOrleans.Silo.Api;
using ImageOrleans.Silo.Auth;
using ImageOrleans.Silo.Batches;
using ImageOrleans.Silo.GrpcApi;
using ImageOrleans.Silo.Persistence;
using ImageOrleans.Silo.Pipeline;
using ImageOrleans.Silo.Telemetry;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Runtime;

namespace ImageOrleans.Silo.Hosting;

public static class SiloHostingExtensions
{
    private const string Section = ImageOrleansOptions.SectionName;

    /// <summary>The gateway: options, front-door services, the embedded simulator and the Orleans silo.</summary>
    public static WebApplicationBuilder AddImageOrleansSilo(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;
        services.AddImageOrleansGrainServices(configuration, builder.Environment.ContentRootPath);
        services.AddOptions<FrontDoorOptions>().Bind(configuration.GetSection($"{Section}:FrontDoor")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<FrontDoorOptions>, FrontDoorOptionsValidator>();
        services.AddOptions<DevOptions>().Bind(configuration.GetSection($"{Section}:Dev"))
            .Validate(o => string.IsNullOrWhiteSpace(o.ClientKey) || ClientKeySecret.IsLongEnough(o.ClientKey),
                $"ImageOrleans:Dev:ClientKey must be at least {ClientKeySecret.MinLength} characters.")
            .ValidateOnStart();
        services.AddOptions<ClusterProfileOptions>().Bind(configuration.GetSection($"{Section}:Cluster")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<ClusterProfileOptions>, ClusterProfileOptionsValidator>();
        services.AddOptions<EmbeddedSimulatorOptions>().Bind(configuration.GetSection($"{Section}:Simulator")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EmbeddedSimulatorOptions>, EmbeddedSimulatorOptionsValidator>();
        services.AddOptions<AdminOptions>().Bind(configuration.GetSection($"{Section}:Admin")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AdminOptions>, AdminOptionsValidator>();
        services.AddSingleton<AdminAuthenticationFilter>();
        services.AddSingleton<DashboardAuthenticationFilter>();

        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Encoder = JsonOutput.Encoder);
        services.AddLenientHeaderDecoding();
        services.AddSingleton<DataFolder>();
        services.AddSingleton<IPostConfigureOptions<Grains.Secrets.SecretsOptions>, LocalSecretsKey>();
        services.AddSingleton<DevClientKey>();
        services.AddSingleton<ClientKeyDirectory>();
        services.AddSingleton<ClientKeySeed>();
        services.AddSingleton<ClientAuthenticationFilter>();
        services.AddSingleton<PoolSeedSource>();
        services.AddSingleton<GenerationPipeline>();
        services.AddSingleton<ImageGenerationHandler>();
        services.AddSingleton<ImageEditHandler>();
        services.AddSingleton<ImageStreamWriter>();
        services.AddSingleton<OutputHook>();
        services.AddSingleton<RequestChecks>();
        services.AddSingleton<ImageUrlFetcher>();
        services.AddSingleton<JsonEditReader>();

        // image_url inputs of JSON edits: fetched under the egress policy, no redirects, no proxy.
        services.AddHttpClient(ImageUrlFetcher.HttpClientName)
            .RemoveAllLoggers()
            .ConfigureHttpClient(client => client.Timeout = TimeSpan.FromSeconds(60))
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<ImageOrleans.Grains.Upstreams.EgressPolicy>().ConnectAsync,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            });

        // The output hook is reached like a key's webhook: only where the egress policy allows, no redirects, no proxy.
        services.AddHttpClient(OutputHook.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
            {
                AllowAutoRedirect = false,
                UseProxy = false,
                ConnectCallback = sp.GetRequiredService<ImageOrleans.Grains.Upstreams.EgressPolicy>().ConnectAsync,
                ConnectTimeout = TimeSpan.FromSeconds(10),
            });
        services.AddSingleton<LinkOrigin>();
        services.AddSingleton<ImageLinks>();
        services.AddSingleton<IBatchItemRunner, BatchItemRunner>();
        services.AddOptions<BestOfOptions>().Bind(configuration.GetSection($"{Section}:{BestOfOptions.SectionName}")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<BestOfOptions>, BestOfOptionsValidator>();
        services.AddSingleton<BestOfScorer>();
        services.AddSingleton<BestOfRunner>();
        services.AddHttpClient(BestOfScorer.HttpClientName).RemoveAllLoggers().ConfigurePrimaryHttpMessageHandler(sp => new SocketsHttpHandler
        {
            // Like the budget webhooks: only where the egress policy allows, never redirected elsewhere.
            AllowAutoRedirect = false,
            UseProxy = false,
            ConnectCallback = sp.GetRequiredService<Grains.Upstreams.EgressPolicy>().ConnectAsync,
        });
        services.AddSingleton<BatchResultsWriter>();
        services.AddSingleton(sp => new ImageUrlSigner(SigningKey(sp)));

        // Registered before the silo, so they run first: the schema is up to date before storage
        // providers start, and the simulator listens before the first account is called.
        services.AddHostedService<SchemaMigrationService>();
        services.AddSingleton<EmbeddedSimulatorService>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSimulatorService>());
        services.AddOptions<GrpcOptions>().Bind(configuration.GetSection($"{Section}:Grpc")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<GrpcOptions>, GrpcOptionsValidator>();
        services.AddImageOrleansGrpcWeb(configuration.GetSection($"{Section}:Grpc"));
        services.AddSingleton<GrpcFrontDoor>();
        services.AddHostedService(sp => sp.GetRequiredService<GrpcFrontDoor>());
        services.AddHostedService<StartupBanner>();
        builder.AddImageOrleansTelemetry();

        var cluster = configuration.GetSection($"{Section}:Cluster").Get<ClusterProfileOptions>() ?? new ClusterProfileOptions();
        var drain = configuration.GetSection($"{Section}:Dispatch").Get<DispatchOptions>()?.DrainTimeout ?? new DispatchOptions().DrainTimeout;

        // The host must give a stopping silo time to drain what it accepted.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = drain + TimeSpan.FromSeconds(30));
        var frontDoor = configuration.GetSection($"{Section}:FrontDoor").Get<FrontDoorOptions>() ?? new FrontDoorOptions();
        builder.Host.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            silo.ConfigureClusterProfile(cluster);

            // A batch's reminder ticks every few seconds, so a batch resumes soon after its silo died.
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));

            // Every distinct prompt is a prompt cache activation, kept for Orleans' idle age (15 minutes):
            // under a flood of distinct prompts, memory rather than age must decide. Past 80 % of the
            // memory the process may use (a container's limit included), the silo deactivates its least
            // recently used activations; their state is in storage, so a later call simply reactivates.
            silo.Configure<GrainCollectionOptions>(o => o.EnableActivationSheddingOnMemoryPressure = true);
            silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, SiloStartupTasks>();
            silo.AddActivityPropagation();
            if (frontDoor.DashboardEnabled(cluster.Mode))
            {
                // The live log stream shows every log line of the silo: only when asked for.
                silo.AddDashboard(o => o.HideTrace = !frontDoor.DashboardTrace);
            }
        });
        return builder;
    }

    /// <summary>Request ids and OpenAI-shaped answers for everything that fails outside an endpoint.</summary>
    public static WebApplication UseImageOrleansFrontDoor(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            RequestIds.Ensure(context);

            // Error handling clears headers; put the id back whenever the response starts.
            context.Response.OnStarting(() =>
            {
                context.Response.Headers[RequestIds.Header] = context.TraceIdentifier;
                return Task.CompletedTask;
            });
            return next(context);
        });
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            ExceptionHandler = context =>
            {
                var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
                var error = exception switch
                {
                    BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                        GatewayErrors.BodyTooLarge(context.RequestServices.GetRequiredService<IOptions<FrontDoorOptions>>().Value.MaxRequestBodyBytes),
                    BadHttpRequestException bad => GatewayErrors.Invalid(null, bad.Message, "bad_request") with { Status = bad.StatusCode },
                    OperationCanceledException when context.RequestAborted.IsCancellationRequested => GatewayErrors.Cancelled(),
                    SiloUnavailableException or OrleansMessageRejectionException or TimeoutException => GatewayErrors.ClusterUnavailable(),
                    _ => GatewayErrors.Internal(context.TraceIdentifier),
                };
                return OpenAIErrors.WriteAsync(context, error);
            },
        });
        app.UseStatusCodePages(async status =>
        {
            var context = status.HttpContext;
            var error = context.Response.StatusCode switch
            {
                StatusCodes.Status404NotFound => new GatewayError
                {
                    Status = 404,
                    Type = GatewayErrors.InvalidRequestType,
                    Message = $"Invalid URL ({context.Request.Method} {context.Request.Path}).",
                    Code = "unknown_url",
                },
                StatusCodes.Status405MethodNotAllowed => new GatewayError
                {
                    Status = 405,
                    Type = GatewayErrors.InvalidRequestType,
                    Message = $"Method {context.Request.Method} is not allowed on {context.Request.Path}.",
                    Code = "method_not_allowed",
                },
                var code => new GatewayError { Status = code, Type = GatewayErrors.InvalidRequestType, Message = "The request could not be handled." },
            };
            await OpenAIErrors.WriteAsync(context, error);
        });
        return app;
    }

    public static WebApplication MapImageOrleans(this WebApplication app)
    {
        app.MapImagesApi();
        app.MapFilesApi();
        app.MapBatchesApi();
        app.MapModelsApi();
        app.MapHealthApi();
        app.MapAdminAccountsApi();
        app.MapAdminKeysApi();
        app.MapUsageApi();
        app.MapImageOrleansOperations();
        app.MapImageOrleansGrpcWeb();
        var mode = app.Services.GetRequiredService<IOptions<ClusterProfileOptions>>().Value.Mode;
        if (app.Services.GetRequiredService<IOptions<FrontDoorOptions>>().Value.DashboardEnabled(mode))
        {
            // The group's filter runs before every route the dashboard maps, its data and log stream included.
            app.MapOrleansDashboard("/dashboard").AddEndpointFilter<DashboardAuthenticationFilter>();
        }

        return app;
    }

    private static byte[] SigningKey(IServiceProvider services)
    {
        var configured = services.GetRequiredService<IOptions<ImagesOptions>>().Value.SigningKey;
        if (!string.IsNullOrEmpty(configured))
        {
            return configured.Length >= 32
                ? Encoding.UTF8.GetBytes(configured)
                : throw new OptionsValidationException(nameof(ImagesOptions), typeof(ImagesOptions),
                    ["ImageOrleans:Images:SigningKey must be at least 32 characters."]);
        }

        if (services.GetRequiredService<IOptions<ClusterProfileOptions>>().Value.Mode != ClusterMode.Localhost)
        {
            throw new OptionsValidationException(nameof(ImagesOptions), typeof(ImagesOptions),
                ["Set ImageOrleans:Images:SigningKey (32+ characters, the same on every silo) to run a cluster."]);
        }

        var generated = services.GetRequiredService<DataFolder>().GetOrCreateSecret("url-signing-key", () => DataFolder.RandomToken(48));
        return Encoding.UTF8.GetBytes(generated);
    }
}
