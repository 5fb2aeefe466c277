using k8s;
using k8s.Models;

namespace ImageOrleans.Deployment.Tests;

/// <summary>The Secret template the operator fills in (<c>k8s/base/secret.template.yaml</c>).</summary>
public static class SecretTemplate
{
    public static IReadOnlyList<V1Secret> Secrets { get; } =
        [.. KubernetesYaml.LoadAllFromString(File.ReadAllText(Repository.PathOf("k8s/base/secret.template.yaml"))).Cast<V1Secret>()];

    public const string Placeholder = "REPLACE_";
}
