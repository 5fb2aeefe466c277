using System.Net;
using System.Runtime.InteropServices;
using Amazon.S3;
using Amazon.S3.Model;

namespace ImageOrleans.Grains.Images;

/// <summary>
/// Images as objects in an S3-compatible bucket, under a key prefix, so every silo of a cluster reads
/// what any silo wrote without a shared volume. Objects expire by the retention sweep, which reads
/// each object's last-modified time; storing the same bytes again rewrites the object and so renews it.
/// </summary>
public sealed class S3ImageStore : IImageStore
{
    private readonly IAmazonS3 _client;
    private readonly string _bucket;
    private readonly string _prefix;
    private readonly Lazy<Task> _bucketReady;

    public S3ImageStore(IAmazonS3 client, S3StoreOptions options)
    {
        _client = client;
        _bucket = options.Bucket ?? throw new ArgumentException("An S3 image store needs a bucket.", nameof(options));
        _prefix = options.KeyPrefix;
        _bucketReady = new Lazy<Task>(() => options.CreateBucket ? CreateBucketAsync() : Task.CompletedTask, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    public async ValueTask<StoredImage> SaveAsync(ReadOnlyMemory<byte> content, CancellationToken cancellationToken)
    {
        await _bucketReady.Value.WaitAsync(cancellationToken);
        var format = ImageFormat.Detect(content.Span);
        var id = ImageIds.For(content.Span, format);

        // Streamed from the caller's buffer without a copy. Always written, even when the object exists:
        // one request either way, and the write is what renews the object for retention.
        using var body = AsStream(content);
        await _client.PutObjectAsync(new PutObjectRequest
        {
            BucketName = _bucket,
            Key = KeyOf(id),
            InputStream = body,
            AutoCloseStream = false,
            ContentType = format.ContentType,

            // The whole body is in memory, so it is signed up front: some S3-compatible services do
            // not decode the chunked (aws-chunked) signing the SDK uses for streams by default.
            UseChunkEncoding = false,
        }, cancellationToken);
        return new StoredImage { Id = id, ContentType = format.ContentType, Length = content.Length };
    }

    public async ValueTask<byte[]?> ReadAsync(string imageId, CancellationToken cancellationToken)
    {
        await using var stream = await OpenReadAsync(imageId, cancellationToken);
        if (stream is null)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, cancellationToken);
        return buffer.ToArray();
    }

    public async ValueTask<Stream?> OpenReadAsync(string imageId, CancellationToken cancellationToken)
    {
        if (!ImageIds.IsValid(imageId))
        {
            return null;
        }

        await _bucketReady.Value.WaitAsync(cancellationToken);
        try
        {
            // The response stream reads from the connection as the caller reads: nothing is buffered here.
            var response = await _client.GetObjectAsync(_bucket, KeyOf(imageId), cancellationToken);
            return new ResponseStream(response);
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async ValueTask<bool> ExistsAsync(string imageId, CancellationToken cancellationToken) =>
        ImageIds.IsValid(imageId) && await LastModifiedAsync(KeyOf(imageId), cancellationToken) is not null;

    public async ValueTask<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        await _bucketReady.Value.WaitAsync(cancellationToken);
        var deleted = 0;
        var request = new ListObjectsV2Request { BucketName = _bucket, Prefix = _prefix };
        do
        {
            var page = await _client.ListObjectsV2Async(request, cancellationToken);
            foreach (var item in page.S3Objects ?? [])
            {
                if (item.LastModified is { } modified && modified < cutoff.UtcDateTime && ImageIds.IsValid(item.Key[_prefix.Length..])
                    && await StillOlderAsync(item.Key, cutoff, cancellationToken))
                {
                    await _client.DeleteObjectAsync(_bucket, item.Key, cancellationToken);
                    deleted++;
                }
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
        while (!string.IsNullOrEmpty(request.ContinuationToken));

        return deleted;
    }

    /// <summary>
    /// Looked at again just before the delete: a save of the same bytes since the listing renewed it.
    /// S3 offers no conditional delete everywhere, so a save within the few milliseconds between this
    /// look and the delete can still lose its object; callers check <see cref="ExistsAsync"/> before
    /// reusing a stored image, and generate it again when it is gone.
    /// </summary>
    private async Task<bool> StillOlderAsync(string key, DateTimeOffset cutoff, CancellationToken cancellationToken) =>
        await LastModifiedAsync(key, cancellationToken) is { } modified && modified < cutoff.UtcDateTime;

    private async Task<DateTime?> LastModifiedAsync(string key, CancellationToken cancellationToken)
    {
        await _bucketReady.Value.WaitAsync(cancellationToken);
        try
        {
            var metadata = await _client.GetObjectMetadataAsync(_bucket, key, cancellationToken);
            return metadata.LastModified?.ToUniversalTime();
        }
        catch (AmazonS3Exception ex) when (ex.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    private async Task CreateBucketAsync()
    {
        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = _bucket });
        }
        catch (AmazonS3Exception ex) when (ex.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // Another silo created it first.
        }
    }

    private string KeyOf(string imageId) => _prefix + imageId;

    private static MemoryStream AsStream(ReadOnlyMemory<byte> content) =>
        MemoryMarshal.TryGetArray(content, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(content.ToArray(), writable: false);

    /// <summary>The object's body; disposing it releases the response and its connection.</summary>
    private sealed class ResponseStream(GetObjectResponse response) : Stream
    {
        private readonly Stream _inner = response.ResponseStream;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => response.ContentLength;
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => _inner.ReadAsync(buffer, cancellationToken);
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => _inner.ReadAsync(buffer, offset, count, cancellationToken);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                response.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
