namespace ImageOrleans.Deployment.Tests;

/// <summary>The check the manifests' settings go through refuses what the silo would not bind.</summary>
public sealed class SiloSettingsTests
{
    [Theory]
    [InlineData("ImageOrleans__Cluster__Mode", "Redis")]
    [InlineData("ImageOrleans__Cluster__Tls__Trust__CertificatesPath", "/etc/tls/ca.crt")]
    [InlineData("ImageOrleans__Images__S3__Bucket", "images")]
    [InlineData("ImageOrleans__Dispatch__DrainTimeout", "00:02:30")]
    [InlineData("ImageOrleans__Secrets__Keys__k1", "x")]
    [InlineData("ImageOrleans__Accounts__openai-1__Models__0", "gpt-image-2.6-flare")]
    [InlineData("ImageOrleans__Simulator__Accounts", "4")]
    [InlineData("ImageOrleans__Simulator__Latency__MedianMs", "800")]
    [InlineData("ImageOrleans__DataPath", "/data")]
    [InlineData("Logging__LogLevel__Default", "Information")]
    public void A_setting_the_silo_binds_passes(string variable, string value) =>
        Assert.Null(SiloSettings.Problem(variable, value));

    [Theory]
    [InlineData("ImageOrleans__Cluster__Mod", "Redis")]
    [InlineData("ImageOrleans__Cluster__Tls__Certificate__Pth", "/etc/tls/tls.crt")]
    [InlineData("ImageOrleans__Images__S3__Buckets", "images")]
    [InlineData("ImageOrleans__Accounts__openai-1__Modles__0", "gpt-image-2.6-flare")]
    [InlineData("ImageOrleans__Nowhere__Key", "1")]
    [InlineData("ImageOrleans__Cluster__Mode", "Kubernetes")]
    [InlineData("ImageOrleans__Dispatch__DrainTimeout", "two minutes")]
    [InlineData("ImageOrleans_Cluster__Mode", "Redis")]
    [InlineData("Logging__LogLevel__Default", "Loud")]
    public void A_typo_or_a_value_the_binder_refuses_fails(string variable, string value) =>
        Assert.NotNull(SiloSettings.Problem(variable, value));
}
