namespace ImageOrleans.Grains.Dispatch;

/// <inheritdoc cref="IDispatcherGrain"/>
[StatelessWorker(1)]
[Reentrant]
public sealed class DispatcherGrain(Dispatcher dispatcher) : Grain, IDispatcherGrain
{
    public Task<GenerationReply> GenerateAsync(GenerationJob job, CancellationToken cancellationToken) => dispatcher.GenerateAsync(job, cancellationToken);
}
