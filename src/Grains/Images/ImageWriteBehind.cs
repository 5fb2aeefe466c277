using System.Diagnostics;
using System.Threading.Channels;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Telemetry;
using Microsoft.Extensions.Logging;

namespace ImageOrleans.Grains.Images;

/// <summary>
/// Stores the images of an answer that was given from their bytes (<see cref="GenerationJob.StoreBehind"/>),
/// after the answer: the cache and links need them in the store, the client that asked does not.
/// </summary>
/// <remarks>
/// A write waits until the answer it follows has been sent (<see cref="AnswersBeingSent"/>), at most
/// <see cref="MaxDeferral"/> from when it was queued, so a client reading its answer slowly cannot hold the
/// writes back for longer.
/// The writes run on one thread of their own, in arrival order. The file store writes synchronously (cheaper
/// than asynchronous file I/O on Linux); on the thread pool each write held a worker that answers and
/// requests queued behind, at the moment the answer it follows was being sent. A store that is truly
/// asynchronous (S3) is only started here.
/// </remarks>
public sealed partial class ImageWriteBehind : IDisposable
{
    // What is still queued when the silo stops gets this long to reach the store.
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The longest a write waits for the answer it follows to be sent, from when it was queued.</summary>
    public static readonly TimeSpan MaxDeferral = TimeSpan.FromMilliseconds(100);

    private readonly IImageStore _store;
    private readonly AnswersBeingSent _answers;
    private readonly TimeProvider _time;
    private readonly ILogger<ImageWriteBehind> _logger;

    // Completed when the silo stops: nothing waits for an answer any more.
    private readonly TaskCompletionSource _stopping = new();
    private int _waiting;
    // Synchronous continuations: a queued write wakes the writer from the producer's thread, so a
    // starved thread pool cannot hold the writer back.
    private readonly Channel<PendingWrite> _queue = Channel.CreateUnbounded<PendingWrite>(
        new UnboundedChannelOptions { SingleReader = true, AllowSynchronousContinuations = true });

    // Writes the store completes asynchronously (S3), still running.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<PendingWrite, Task> _running = new();
    private readonly Thread _writer;

    public ImageWriteBehind(IImageStore store, AnswersBeingSent answers, TimeProvider time, ILogger<ImageWriteBehind> logger)
    {
        (_store, _answers, _time, _logger) = (store, answers, time, logger);
        // UnsafeStart: the thread does not carry the context (trace, request) of whoever built the service.
        _writer = new Thread(WriteQueued) { IsBackground = true, Name = "image write-behind" };
        _writer.UnsafeStart();
    }

    /// <summary>The image <paramref name="content"/> becomes once stored (ids are content hashes, known before writing).</summary>
    public static GeneratedImage Describe(ReadOnlySpan<byte> content, string? revisedPrompt)
    {
        var format = ImageFormat.Detect(content);
        return new GeneratedImage { ImageId = ImageIds.For(content, format), ContentType = format.ContentType, RevisedPrompt = revisedPrompt };
    }

    /// <summary>Writes waiting now for the answer they follow to be sent.</summary>
    public int WaitingForAnswers => Volatile.Read(ref _waiting);

    /// <summary>
    /// Queues every image of <paramref name="result"/> for the store, to be written once answer
    /// <paramref name="answerId"/> has been sent (at once for none); true once all are stored. Never throws.
    /// </summary>
    public Task<bool> SaveAsync(GenerationResult result, IReadOnlyList<ReadOnlyMemory<byte>> contents, Guid answerId = default)
    {
        // Started here, so the span sits under the request that made the images, however late it ends.
        var write = new PendingWrite(result, contents, GatewayTelemetry.Source.StartActivity(GatewayTelemetry.Store),
            _answers.WhenSent(answerId), _time.GetTimestamp());
        if (!_queue.Writer.TryWrite(write))
        {
            // Stopping: the writer takes no more, so this one is stored on the thread pool.
            _ = Task.Run(() => WriteAsync(write));
        }

        return write.Completion.Task;
    }

    /// <summary>
    /// Lets the writer store what is queued and what it started (bounded by a timeout), then stops it; a write
    /// still queued after that ends as not stored, so nobody waits for it forever.
    /// </summary>
    public void Dispose()
    {
        var deadline = DateTime.UtcNow + DrainTimeout;
        _stopping.TrySetResult();
        _queue.Writer.TryComplete();
        _writer.Join(DrainTimeout);
        var left = deadline - DateTime.UtcNow;
        if (!_running.IsEmpty && left > TimeSpan.Zero)
        {
            Task.WaitAll([.. _running.Values], left);
        }

        while (_queue.Reader.TryRead(out var abandoned))
        {
            abandoned.Span?.Dispose();
            abandoned.Completion.TrySetResult(false);
        }
    }

    private void WriteQueued()
    {
        var reader = _queue.Reader;

        // A thread of its own may block while it waits for work; the writes themselves complete here too
        // when the store is synchronous.
        while (reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
        {
            while (reader.TryRead(out var write))
            {
                WaitForAnswer(write);
                var writing = WriteAsync(write);
                if (!writing.IsCompleted)
                {
                    _running[write] = writing;
                    _ = ForgetWhenDoneAsync(write, writing);
                }
            }
        }
    }

    private void WaitForAnswer(PendingWrite write)
    {
        if (write.AnswerSent.IsCompleted || _stopping.Task.IsCompleted)
        {
            return;
        }

        var left = MaxDeferral - _time.GetElapsedTime(write.QueuedAt);
        if (left <= TimeSpan.Zero)
        {
            return;
        }

        // The bound's timer goes with the wait, not 100 ms later.
        using var bound = new CancellationTokenSource(left, _time);
        Interlocked.Increment(ref _waiting);
        try
        {
            Task.WaitAny([write.AnswerSent, _stopping.Task], bound.Token);
        }
        catch (OperationCanceledException)
        {
            // Not sent within the bound: the image is written anyway.
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }
    }

    private async Task ForgetWhenDoneAsync(PendingWrite write, Task writing)
    {
        // WriteAsync never throws.
        await writing.ConfigureAwait(false);
        _running.TryRemove(write, out _);
    }

    private async Task WriteAsync(PendingWrite write)
    {
        using var span = write.Span;

        // The store's own spans (an S3 call) sit under this write, on whatever thread it runs.
        Activity.Current = span;
        try
        {
            for (var i = 0; i < write.Contents.Count; i++)
            {
                var saved = await _store.SaveAsync(write.Contents[i], CancellationToken.None);
                if (saved.Id != write.Result.Images[i].ImageId)
                {
                    throw new InvalidOperationException($"The store named an image {saved.Id}, expected {write.Result.Images[i].ImageId}.");
                }
            }

            write.Completion.TrySetResult(true);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogSaveFailed(_logger, ex, write.Result.AccountId);
            span?.SetStatus(ActivityStatusCode.Error);
            write.Completion.TrySetResult(false);
        }
    }

    [LoggerMessage(EventId = 2320, Level = LogLevel.Warning,
        Message = "Storing generated images behind their answer failed (served by {AccountId}); the client has them, but they are not cached and no link to them works")]
    private static partial void LogSaveFailed(ILogger logger, Exception exception, string accountId);

    private sealed class PendingWrite(GenerationResult result, IReadOnlyList<ReadOnlyMemory<byte>> contents, Activity? span, Task answerSent, long queuedAt)
    {
        public GenerationResult Result { get; } = result;

        public IReadOnlyList<ReadOnlyMemory<byte>> Contents { get; } = contents;

        public Activity? Span { get; } = span;

        /// <summary>The answer these images follow has been sent.</summary>
        public Task AnswerSent { get; } = answerSent;

        public long QueuedAt { get; } = queuedAt;

        // Whoever waits for the write continues on the thread pool (or its grain), never on the writer's thread.
        public TaskCompletionSource<bool> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
