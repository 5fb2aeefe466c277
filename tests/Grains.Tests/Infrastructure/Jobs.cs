using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Requests;

namespace ImageOrleans.Grains.Tests.Infrastructure;

public static class Jobs
{
    public static GenerationJob For(
        string model,
        string prompt,
        DateTimeOffset now,
        string tenant = "tenant",
        int n = 1,
        RequestPriority priority = RequestPriority.Normal,
        double weight = 1.0,
        TimeSpan? wait = null) => new()
    {
        RequestId = "req_" + Guid.NewGuid().ToString("N"),
        ClientKeyId = "key-" + tenant,
        Tenant = tenant,
        Priority = priority,
        Weight = weight,
        Request = new ImageRequest { Model = model, Prompt = prompt, N = n },
        AcceptedAt = now,
        Deadline = now + (wait ?? TimeSpan.FromMinutes(30)),
    };
}
