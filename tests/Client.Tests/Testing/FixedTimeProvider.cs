namespace ImageOrleans.Client.Tests.Testing;

/// <summary>A clock stopped at one instant, for turning <c>Retry-After</c> dates into exact waits.</summary>
public sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}
