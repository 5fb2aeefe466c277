using ImageOrleans.Testing;
using k8s;
using k8s.Models;

namespace ImageOrleans.Deployment.Tests;

/// <summary>An overlay of <c>k8s/</c> as <c>kubectl kustomize</c> renders it, parsed into the Kubernetes client's models.</summary>
public sealed class RenderedOverlay
{
    private RenderedOverlay(string name, IReadOnlyList<object> resources)
    {
        Name = name;
        Resources = resources;
    }

    public string Name { get; }

    public IReadOnlyList<object> Resources { get; }

    public V1Deployment Deployment => One<V1Deployment>();

    public V1PodSpec Pod => Deployment.Spec.Template.Spec;

    public V1Container Silo => Assert.Single(Pod.Containers);

    public V1ConfigMap ConfigMap => One<V1ConfigMap>();

    public static async Task<RenderedOverlay> RenderAsync(string overlay)
    {
        var yaml = await ExternalProcess.RunAsync("kubectl", ["kustomize", Repository.PathOf($"k8s/overlays/{overlay}")]);
        return new RenderedOverlay(overlay, KubernetesYaml.LoadAllFromString(yaml));
    }

    public IEnumerable<T> All<T>() => Resources.OfType<T>();

    public T One<T>() => Assert.Single(All<T>());

    /// <summary>The pod templates of everything that runs the gateway's image (the silos and the migrate job).</summary>
    public IEnumerable<(string Owner, V1PodTemplateSpec Template)> GatewayPods() =>
        All<V1Deployment>().Select(d => (d.Metadata.Name, d.Spec.Template))
            .Concat(All<V1Job>().Select(j => (j.Metadata.Name, j.Spec.Template)))
            .Where(p => p.Template.Spec.Containers.Any(c => c.Image.Contains("imageorleans", StringComparison.Ordinal)));

    /// <summary>The environment the silo container starts with: its ConfigMap and Secret as far as they are rendered.</summary>
    public Dictionary<string, string> SiloEnvironment(IEnumerable<V1Secret>? secrets = null)
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var source in Silo.EnvFrom)
        {
            if (source.ConfigMapRef is { } map)
            {
                foreach (var (key, value) in All<V1ConfigMap>().Single(c => c.Metadata.Name == map.Name).Data)
                {
                    environment[key] = value;
                }
            }

            if (source.SecretRef is { } reference)
            {
                var secret = (secrets ?? All<V1Secret>()).SingleOrDefault(s => s.Metadata.Name == reference.Name);
                foreach (var (key, value) in secret is null ? [] : SecretValues(secret))
                {
                    environment[key] = value;
                }
            }
        }

        foreach (var variable in Silo.Env.Where(e => e.Value is not null))
        {
            environment[variable.Name] = variable.Value;
        }

        return environment;
    }

    public static IEnumerable<KeyValuePair<string, string>> SecretValues(V1Secret secret) =>
        (secret.StringData ?? new Dictionary<string, string>())
            .Concat((secret.Data ?? new Dictionary<string, byte[]>()).Select(d => KeyValuePair.Create(d.Key, System.Text.Encoding.UTF8.GetString(d.Value))));

    /// <summary>Whether a label selector selects pods with the given labels.</summary>
    public static bool Selects(V1LabelSelector selector, IDictionary<string, string> labels) =>
        selector.MatchLabels is { Count: > 0 } match
        && match.All(l => labels.TryGetValue(l.Key, out var value) && value == l.Value)
        && selector.MatchExpressions is null or { Count: 0 };

    public override string ToString() => Name;
}
