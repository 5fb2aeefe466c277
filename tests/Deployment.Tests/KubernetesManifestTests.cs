using System.Text.RegularExpressions;
using ImageOrleans.Grains.Dispatch;
using ImageOrleans.Grains.Images;
using ImageOrleans.Grains.Secrets;
using ImageOrleans.Silo.Hosting;
using k8s.Models;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting.Kubernetes;

namespace ImageOrleans.Deployment.Tests;

/// <summary>The invariants of <c>k8s/</c>, checked on each overlay as <c>kubectl kustomize</c> renders it.</summary>
public sealed partial class KubernetesManifestTests(OverlaysFixture overlays) : IClassFixture<OverlaysFixture>
{
    [Theory]
    [MemberData(nameof(OverlaysFixture.Names), MemberType = typeof(OverlaysFixture))]
    public void Every_gateway_container_has_probes_resources_and_a_locked_down_security_context(string name)
    {
        var overlay = overlays[name];
        var pods = overlay.GatewayPods().ToList();
        Assert.Equal(["imageorleans", "imageorleans-migrate"], pods.Select(p => p.Owner).Order());
        foreach (var (owner, template) in pods)
        {
            var pod = template.Spec.SecurityContext;
            Assert.True(pod?.RunAsNonRoot == true, $"{owner}: pod runAsNonRoot");
            Assert.NotEqual(0, pod?.RunAsUser);
            Assert.Equal("RuntimeDefault", pod?.SeccompProfile?.Type);
            foreach (var container in template.Spec.Containers.Concat(template.Spec.InitContainers ?? []))
            {
                var where = $"{owner}/{container.Name}";
                Assert.True(container.Resources?.Requests?.ContainsKey("cpu") == true && container.Resources.Requests.ContainsKey("memory"), $"{where}: cpu and memory requests");
                Assert.True(container.Resources.Limits?.ContainsKey("memory") == true && container.Resources.Limits.ContainsKey("cpu"), $"{where}: cpu and memory limits");
                var security = container.SecurityContext;
                Assert.True(security is { RunAsNonRoot: true, AllowPrivilegeEscalation: false, ReadOnlyRootFilesystem: true }, $"{where}: non-root, no privilege escalation, read-only root");
                Assert.NotEqual(true, security.Privileged);
                Assert.Equal(["ALL"], security.Capabilities?.Drop);
                Assert.Null(security.Capabilities?.Add);

                // A read-only root: whatever the program writes goes to a mounted volume.
                Assert.Contains(container.VolumeMounts, m => m.MountPath == "/tmp" && m.ReadOnlyProperty != true);
            }
        }

        var silo = overlay.Silo;
        Assert.Contains(silo.VolumeMounts, m => m.MountPath == "/data" && m.ReadOnlyProperty != true);
        Assert.Equal("/healthz", silo.LivenessProbe?.HttpGet?.Path);
        Assert.Equal("/readyz", silo.ReadinessProbe?.HttpGet?.Path);
        Assert.NotNull(silo.StartupProbe?.HttpGet);
        foreach (var probe in new[] { silo.LivenessProbe!, silo.ReadinessProbe!, silo.StartupProbe! })
        {
            Assert.Equal("http", probe.HttpGet.Port.Value);
        }

        // The start-up probe outlasts the longest join the silo attempts before it gives up.
        var join = Bind<ClusterProfileOptions>(overlay, "Cluster").JoinTimeout;
        Assert.True(silo.StartupProbe!.PeriodSeconds * silo.StartupProbe.FailureThreshold >= join.TotalSeconds, $"start-up probe shorter than the join timeout {join}");
        Assert.Contains(silo.Ports, p => p.Name == "http" && p.ContainerPort == 8080);

        // The third-party stores of the dev overlay get resources and probes too.
        foreach (var set in overlay.All<V1StatefulSet>())
        {
            var container = Assert.Single(set.Spec.Template.Spec.Containers);
            Assert.True(container.Resources?.Requests?.Count > 0 && container.Resources.Limits?.Count > 0, $"{set.Metadata.Name}: resources");
            Assert.True(container.ReadinessProbe is not null && container.LivenessProbe is not null, $"{set.Metadata.Name}: probes");
            Assert.False(container.SecurityContext?.AllowPrivilegeEscalation ?? true, $"{set.Metadata.Name}: no privilege escalation");
        }
    }

    [Theory]
    [MemberData(nameof(OverlaysFixture.Names), MemberType = typeof(OverlaysFixture))]
    public void Labels_and_environment_are_what_Orleans_Kubernetes_hosting_reads(string name)
    {
        var overlay = overlays[name];
        var labels = overlay.Deployment.Spec.Template.Metadata.Labels;
        var cluster = Bind<ClusterProfileOptions>(overlay, "Cluster");
        Assert.Equal(ClusterMode.Redis, cluster.Mode);
        Assert.True(cluster.Kubernetes, "ImageOrleans__Cluster__Kubernetes turns UseKubernetesHosting on");

        // The silo's own ids (used before the hosting overrides them) equal the labels the hosting selects pods by.
        Assert.Equal(cluster.ServiceId, labels[KubernetesHostingOptions.ServiceIdLabel]);
        Assert.Equal(cluster.ClusterId, labels[KubernetesHostingOptions.ClusterIdLabel]);

        var env = overlay.Silo.Env.ToDictionary(e => e.Name, e => e.ValueFrom?.FieldRef?.FieldPath);
        Assert.Equal("metadata.name", env[KubernetesHostingOptions.PodNameEnvironmentVariable]);
        Assert.Equal("metadata.namespace", env[KubernetesHostingOptions.PodNamespaceEnvironmentVariable]);
        Assert.Equal("status.podIP", env[KubernetesHostingOptions.PodIPEnvironmentVariable]);
        Assert.Equal($"metadata.labels['{KubernetesHostingOptions.ServiceIdLabel}']", env[KubernetesHostingOptions.ServiceIdEnvironmentVariable]);
        Assert.Equal($"metadata.labels['{KubernetesHostingOptions.ClusterIdLabel}']", env[KubernetesHostingOptions.ClusterIdEnvironmentVariable]);

        // Silo and gateway ports are the ones the silo listens on.
        Assert.Contains(overlay.Silo.Ports, p => p.Name == "silo" && p.ContainerPort == cluster.SiloPort);
        Assert.Contains(overlay.Silo.Ports, p => p.Name == "gateway" && p.ContainerPort == cluster.GatewayPort);

        // Only silos carry the Orleans labels: the hosting would take any other pod for a silo.
        foreach (var (owner, template) in overlay.GatewayPods().Where(p => p.Owner != overlay.Deployment.Metadata.Name))
        {
            Assert.False(template.Metadata.Labels.ContainsKey(KubernetesHostingOptions.ServiceIdLabel), $"{owner} carries {KubernetesHostingOptions.ServiceIdLabel}");
        }

        Assert.True(overlay.Pod.AutomountServiceAccountToken ?? true, "the hosting needs the service account token");
    }

    [Theory]
    [MemberData(nameof(OverlaysFixture.Names), MemberType = typeof(OverlaysFixture))]
    public void The_role_grants_only_the_pod_verbs_the_hosting_uses_to_the_silos_service_account(string name)
    {
        var overlay = overlays[name];
        var role = overlay.One<V1Role>();
        var rule = Assert.Single(role.Rules);
        Assert.Equal([string.Empty], rule.ApiGroups);
        Assert.Equal(["pods"], rule.Resources);
        Assert.Null(rule.ResourceNames);

        // get + patch: its own pod's labels; list + watch: the cluster's pods. No delete (DeleteDefunctSiloPods is off).
        Assert.Equal(["get", "list", "patch", "watch"], rule.Verbs.Order(StringComparer.Ordinal));
        Assert.Empty(overlay.All<V1ClusterRole>());
        Assert.Empty(overlay.All<V1ClusterRoleBinding>());

        var binding = overlay.One<V1RoleBinding>();
        Assert.Equal(("Role", role.Metadata.Name), (binding.RoleRef.Kind, binding.RoleRef.Name));
        var subject = Assert.Single(binding.Subjects);
        Assert.Equal(("ServiceAccount", overlay.Pod.ServiceAccountName), (subject.Kind, subject.Name));
        Assert.Equal(overlay.Pod.ServiceAccountName, overlay.One<V1ServiceAccount>().Metadata.Name);

        // The migrate job needs no API access at all.
        var job = overlay.One<V1Job>().Spec.Template.Spec;
        Assert.False(job.AutomountServiceAccountToken ?? true);
    }

    [Theory]
    [MemberData(nameof(OverlaysFixture.Names), MemberType = typeof(OverlaysFixture))]
    public void The_grace_period_covers_the_pre_stop_pause_the_drain_and_the_hosts_shutdown(string name)
    {
        var overlay = overlays[name];
        var drain = Bind<DispatchOptions>(overlay, "Dispatch").DrainTimeout;
        var preStop = overlay.Silo.Lifecycle?.PreStop?.Sleep?.Seconds ?? 0;
        Assert.True(preStop >= 5, "a preStop pause lets endpoints and ingresses drop the pod before it stops accepting");

        // AddImageOrleansSilo gives the host drain + 30 s to stop; Kubernetes counts preStop in the grace period.
        var needed = preStop + drain.TotalSeconds + 30;
        Assert.True(overlay.Pod.TerminationGracePeriodSeconds > needed,
            $"terminationGracePeriodSeconds {overlay.Pod.TerminationGracePeriodSeconds} must exceed preStop {preStop} s + drain {drain.TotalSeconds} s + 30 s");

        var strategy = overlay.Deployment.Spec.Strategy.RollingUpdate;
        Assert.Equal("0", strategy.MaxUnavailable.Value);
    }

    [Theory]
    [MemberData(nameof(OverlaysFixture.Names), MemberType = typeof(OverlaysFixture))]
    public void Service_budget_autoscaler_and_network_policy_select_the_silos(string name)
    {
        var overlay = overlays[name];
        var labels = overlay.Deployment.Spec.Template.Metadata.Labels;
        Assert.True(RenderedOverlay.Selects(overlay.Deployment.Spec.Selector, labels));

        var budget = overlay.One<V1PodDisruptionBudget>();
        Assert.True(RenderedOverlay.Selects(budget.Spec.Selector, labels), "the PDB selects the silos");
        Assert.Equal("1", budget.Spec.MaxUnavailable?.Value);

        var service = overlay.All<V1Service>().Single(s => s.Metadata.Name == overlay.Deployment.Metadata.Name);
        Assert.True(service.Spec.Selector.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value), "the Service selects the silos");
        Assert.Equal(["grpc", "http"], service.Spec.Ports.Select(p => p.TargetPort.Value).Order());
        Assert.DoesNotContain(service.Spec.Ports, p => p.TargetPort.Value is "silo" or "gateway");

        var autoscaler = overlay.One<V2HorizontalPodAutoscaler>();
        Assert.Equal(("Deployment", overlay.Deployment.Metadata.Name), (autoscaler.Spec.ScaleTargetRef.Kind, autoscaler.Spec.ScaleTargetRef.Name));
        Assert.Contains(autoscaler.Spec.Metrics, m => m.Resource?.Name == "cpu");
        Assert.True(autoscaler.Spec.MinReplicas <= overlay.Deployment.Spec.Replicas && overlay.Deployment.Spec.Replicas <= autoscaler.Spec.MaxReplicas);
        Assert.Equal(1, Assert.Single(autoscaler.Spec.Behavior.ScaleDown.Policies).Value);

        var policy = overlay.One<V1NetworkPolicy>();
        Assert.True(RenderedOverlay.Selects(policy.Spec.PodSelector, labels), "the NetworkPolicy applies to the silos");
        Assert.Contains("Ingress", policy.Spec.PolicyTypes);
        var clusterPorts = new HashSet<string>(["silo", "gateway", "11111", "30000"]);
        var opening = policy.Spec.Ingress.Where(r => r.Ports is null || r.Ports.Any(p => clusterPorts.Contains(p.Port.Value))).ToList();
        var rule = Assert.Single(opening);
        Assert.NotNull(rule.Ports);
        Assert.Equal(["gateway", "silo"], rule.Ports.Select(p => p.Port.Value).Order());
        var peer = Assert.Single(rule.FromProperty);
        Assert.Null(peer.IpBlock);
        Assert.Null(peer.NamespaceSelector);
        Assert.True(RenderedOverlay.Selects(peer.PodSelector, labels), "only the silos reach the silo and gateway ports");
        Assert.All(policy.Spec.Ingress, r => Assert.NotNull(r.Ports));
    }

    [Theory]
    [MemberData(nameof(OverlaysFixture.Names), MemberType = typeof(OverlaysFixture))]
    public void Every_setting_in_the_config_map_and_the_secrets_is_one_the_silo_binds(string name)
    {
        var overlay = overlays[name];
        var variables = overlay.All<V1ConfigMap>().SelectMany(c => c.Data)
            .Concat(overlay.All<V1Secret>().Where(s => overlay.Silo.EnvFrom.Any(e => e.SecretRef?.Name == s.Metadata.Name)).SelectMany(RenderedOverlay.SecretValues))
            .Concat(SecretTemplate.Secrets.Where(s => s.Type == "Opaque").SelectMany(RenderedOverlay.SecretValues))
            .Concat(overlay.Silo.Env.Where(e => e.Name.StartsWith("ImageOrleans", StringComparison.Ordinal)).Select(e => KeyValuePair.Create(e.Name, e.Value)));
        var problems = variables.Select(v => SiloSettings.Problem(v.Key, v.Value)).OfType<string>().ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
    }

    [Fact]
    public void The_secret_template_holds_placeholders_only_and_every_secret_the_prod_silos_use()
    {
        foreach (var secret in SecretTemplate.Secrets)
        {
            Assert.Null(secret.Data);
            foreach (var (key, value) in secret.StringData)
            {
                Assert.True(value.Contains(SecretTemplate.Placeholder, StringComparison.Ordinal), $"{secret.Metadata.Name}/{key} is not a placeholder");
                Assert.False(RealLooking().IsMatch(value), $"{secret.Metadata.Name}/{key} looks like a real secret");
            }
        }

        var prod = overlays["prod"];
        Assert.Empty(prod.All<V1Secret>());
        var env = Assert.Single(SecretTemplate.Secrets, s => s.Type == "Opaque");
        Assert.Contains(prod.Silo.EnvFrom, e => e.SecretRef?.Name == env.Metadata.Name);
        Assert.Contains(prod.One<V1Job>().Spec.Template.Spec.Containers[0].EnvFrom, e => e.SecretRef?.Name == env.Metadata.Name);

        // The silo TLS certificate: mounted from the template's TLS secret where the ConfigMap points.
        var tls = Assert.Single(SecretTemplate.Secrets, s => s.Type == "kubernetes.io/tls");
        var volume = prod.Pod.Volumes.Single(v => v.Secret?.SecretName == tls.Metadata.Name);
        var mount = prod.Silo.VolumeMounts.Single(m => m.Name == volume.Name);
        Assert.True(mount.ReadOnlyProperty);
        var certificate = Bind<ClusterProfileOptions>(prod, "Cluster").Tls;
        foreach (var path in new[] { certificate.Certificate.Path, certificate.Certificate.KeyPath, certificate.Trust.CertificatesPath })
        {
            Assert.NotNull(path);
            Assert.Equal(mount.MountPath, Path.GetDirectoryName(path));
            Assert.Contains(Path.GetFileName(path), tls.StringData.Keys);
        }
    }

    [Fact]
    public void Prod_runs_three_silos_on_external_services_with_mutual_tls_and_sealed_secrets()
    {
        var prod = overlays["prod"];
        Assert.Equal(3, prod.Deployment.Spec.Replicas);
        Assert.Equal(3, prod.One<V2HorizontalPodAutoscaler>().Spec.MinReplicas);
        Assert.Empty(prod.All<V1StatefulSet>());
        Assert.DoesNotContain(":latest", prod.Silo.Image, StringComparison.Ordinal);

        // With the secret template's keys filled in, the production profile has nothing to refuse.
        var filled = SecretTemplate.Secrets.Where(s => s.Type == "Opaque").SelectMany(RenderedOverlay.SecretValues)
            .Select(v => KeyValuePair.Create(v.Key, v.Key.StartsWith("ImageOrleans__Secrets__Keys__", StringComparison.Ordinal) ? Convert.ToBase64String(new byte[32]) : v.Value));
        var configuration = SiloSettings.Configuration(prod.SiloEnvironment([]).Concat(filled));
        var cluster = configuration.GetSection("ImageOrleans:Cluster").Get<ClusterProfileOptions>()!;
        Assert.Empty(cluster.Problems());
        Assert.True(cluster.Tls.IsOn, "mutual TLS on the silo and gateway ports");
        var secrets = configuration.GetSection(SecretsOptions.SectionName).Get<SecretsOptions>()!;
        Assert.True(new SecretsOptionsValidator().Validate(null, secrets).Succeeded, "a secrets master key and its active id");

        var images = configuration.GetSection("ImageOrleans:Images").Get<ImagesOptions>()!;
        Assert.Equal(ImageStoreKind.S3, images.Store);
        Assert.False(string.IsNullOrEmpty(images.S3.Bucket));
        Assert.False(images.S3.CreateBucket);
        Assert.False(configuration.GetValue<bool>("ImageOrleans:Simulator:Embedded"));
        Assert.NotEmpty(configuration.GetSection("ImageOrleans:Accounts").GetChildren());
    }

    [Fact]
    public void Dev_runs_one_silo_with_in_cluster_stores_and_simulated_accounts()
    {
        var dev = overlays["dev"];
        Assert.Equal(1, dev.Deployment.Spec.Replicas);
        Assert.Equal(["minio", "postgres", "redis"], dev.All<V1StatefulSet>().Select(s => s.Metadata.Name).Order());
        Assert.All(dev.All<V1StatefulSet>(), s => Assert.NotEmpty(s.Spec.VolumeClaimTemplates));
        foreach (var set in dev.All<V1StatefulSet>())
        {
            Assert.Contains(dev.All<V1Service>(), s => s.Metadata.Name == set.Metadata.Name && RenderedOverlay.Selects(new V1LabelSelector { MatchLabels = s.Spec.Selector }, set.Spec.Template.Metadata.Labels));
        }

        var configuration = SiloSettings.Configuration(dev.SiloEnvironment());
        var cluster = configuration.GetSection("ImageOrleans:Cluster").Get<ClusterProfileOptions>()!;
        Assert.Empty(cluster.Problems());
        Assert.False(cluster.Tls.IsOn);
        Assert.True(configuration.GetValue<bool>("ImageOrleans:Simulator:Embedded"));
        Assert.Empty(configuration.GetSection("ImageOrleans:Accounts").GetChildren());
        var secrets = configuration.GetSection(SecretsOptions.SectionName).Get<SecretsOptions>()!;
        Assert.True(new SecretsOptionsValidator().Validate(null, secrets).Succeeded);
        var images = configuration.GetSection("ImageOrleans:Images").Get<ImagesOptions>()!;
        Assert.Equal((ImageStoreKind.S3, "http://minio:9000"), (images.Store, images.S3.ServiceUrl));
        Assert.DoesNotContain(dev.Pod.Volumes, v => v.Secret is not null);
    }

    private static T Bind<T>(RenderedOverlay overlay, string section) where T : new() =>
        SiloSettings.Configuration(overlay.SiloEnvironment()).GetSection($"ImageOrleans:{section}").Get<T>() ?? new T();

    // An OpenAI-style key, a PEM block, or 32+ bytes of base64: what a pasted real secret looks like.
    [GeneratedRegex(@"sk-[A-Za-z0-9_-]{20,}|-----BEGIN|^[A-Za-z0-9+/]{43}=?$")]
    private static partial Regex RealLooking();
}
