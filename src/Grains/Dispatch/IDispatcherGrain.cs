namespace ImageOrleans.Grains.Dispatch;

/// <summary>
/// Performs generations: leases an account, calls the upstream, reports the outcome, fails over and
/// retries by error class. A stateless worker, so it always runs on the calling silo.
/// </summary>
public interface IDispatcherGrain : IGrainWithIntegerKey
{
    // Upstream calls take up to minutes and waiting for capacity adds to that.
    [ResponseTimeout("00:15:00")]
    Task<GenerationReply> GenerateAsync(GenerationJob job, CancellationToken cancellationToken);
}
