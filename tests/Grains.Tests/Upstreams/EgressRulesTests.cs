using System.Net;
using ImageOrleans.Grains.Configuration;
using ImageOrleans.Grains.Upstreams;
using Microsoft.Extensions.Options;

namespace ImageOrleans.Grains.Tests.Upstreams;

public sealed class EgressRulesTests
{
    [Theory]
    [InlineData("http://169.254.169.254/latest/meta-data/")]
    [InlineData("http://169.254.0.1/")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/")]
    [InlineData("http://[fe80::1]/")]
    [InlineData("http://[::ffff:169.254.169.254]/")]
    [InlineData("http://100.100.100.200/latest/meta-data/")]
    public void Metadata_and_link_local_addresses_are_refused_without_an_allow_list(string url)
    {
        var refusal = new EgressRules([]).Refusal(new Uri(url));

        Assert.NotNull(refusal);
        Assert.Contains("link-local or cloud-metadata", refusal, StringComparison.Ordinal);
    }

    [Fact]
    public void A_metadata_address_is_allowed_only_when_listed_as_an_address()
    {
        Assert.NotNull(new EgressRules(["*"]).Refusal(new Uri("http://169.254.169.254/")));
        Assert.Null(new EgressRules(["169.254.169.254"]).Refusal(new Uri("http://169.254.169.254/")));
        Assert.True(new EgressRules(["169.254.169.254"]).AllowsAddress(IPAddress.Parse("169.254.169.254")));
        Assert.False(new EgressRules(["169.254.169.254"]).AllowsAddress(IPAddress.Parse("169.254.169.253")));
        Assert.False(new EgressRules([]).AllowsAddress(IPAddress.Parse("fd00:ec2::254")));
        Assert.False(new EgressRules([]).AllowsAddress(IPAddress.Parse("::ffff:169.254.169.254")));
        Assert.True(new EgressRules([]).AllowsAddress(IPAddress.Loopback));
        Assert.True(new EgressRules([]).AllowsAddress(IPAddress.Parse("20.1.2.3")));
    }

    [Fact]
    public void Without_an_allow_list_ordinary_hosts_and_loopback_are_allowed()
    {
        var rules = new EgressRules([]);

        Assert.False(rules.IsRestricted);
        Assert.Null(rules.Refusal(new Uri("https://api.openai.com/v1/")));
        Assert.Null(rules.Refusal(new Uri("http://127.0.0.1:5001/v1/")));
        Assert.Null(rules.Refusal(new Uri("http://localhost:5001/v1/")));
    }

    [Fact]
    public void An_allow_list_admits_exact_names_and_subdomains_of_patterns_only()
    {
        var rules = new EgressRules(["api.openai.com", "*.openai.azure.com", "10.0.0.7"]);

        Assert.Null(rules.Refusal(new Uri("https://api.openai.com/v1/")));
        Assert.Null(rules.Refusal(new Uri("https://API.OpenAI.com./v1/")));
        Assert.Null(rules.Refusal(new Uri("https://contoso.openai.azure.com/")));
        Assert.Null(rules.Refusal(new Uri("https://a.b.openai.azure.com/")));
        Assert.Null(rules.Refusal(new Uri("http://10.0.0.7:8080/")));
        Assert.NotNull(rules.Refusal(new Uri("https://openai.azure.com/")));
        Assert.NotNull(rules.Refusal(new Uri("https://evilopenai.azure.com/")));
        Assert.NotNull(rules.Refusal(new Uri("https://api.openai.com.evil.example/")));
        Assert.NotNull(rules.Refusal(new Uri("http://127.0.0.1:5001/")));
        Assert.NotNull(rules.Refusal(new Uri("http://10.0.0.8/")));
        Assert.Contains(EgressRules.Setting, rules.Refusal(new Uri("https://attacker.example/")), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("api.openai.com", true)]
    [InlineData("*.openai.azure.com", true)]
    [InlineData("*", true)]
    [InlineData("10.0.0.7", true)]
    [InlineData("fd00:ec2::254", true)]
    [InlineData("https://api.openai.com", false)]
    [InlineData("api.openai.com/v1", false)]
    [InlineData("api.*.com", false)]
    [InlineData("", false)]
    public void Allow_list_entries_are_validated_at_start_up(string entry, bool valid)
    {
        var result = new UpstreamsOptionsValidator().Validate(null, new UpstreamsOptions { AllowedHosts = [entry] });

        Assert.Equal(valid, result.Succeeded);
        if (!valid)
        {
            Assert.Contains("ImageOrleans:Upstreams:AllowedHosts:0", result.FailureMessage, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Configured_base_urls_and_webhook_urls_outside_the_rules_fail_start_up_naming_the_setting()
    {
        var options = new ImageOrleansOptions
        {
            Accounts =
            {
                ["metadata"] = new AccountOptions { Kind = Pool.UpstreamKind.Compatible, BaseUrl = "http://169.254.169.254/v1", Models = ["gpt-image-1"] },
                ["fine"] = new AccountOptions { Kind = Pool.UpstreamKind.Compatible, BaseUrl = "https://images.example.com/v1", Models = ["gpt-image-1"] },
            },
            ClientKeys = { ["hooked"] = new ClientKeyOptions { Key = new string('k', 30), WebhookUrl = "http://[fd00:ec2::254]/hook" } },
        };

        var open = new EgressOptionsValidator(Options.Create(new UpstreamsOptions())).Validate(null, options);
        Assert.False(open.Succeeded);
        Assert.Contains("ImageOrleans:Accounts:metadata:BaseUrl", open.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("ImageOrleans:ClientKeys:hooked:WebhookUrl", open.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Accounts:fine", open.FailureMessage, StringComparison.Ordinal);

        // With an allow-list, an OpenAI account without a base URL is checked against api.openai.com.
        options.Accounts.Remove("metadata");
        options.ClientKeys.Clear();
        options.Accounts["openai"] = new AccountOptions { Kind = Pool.UpstreamKind.OpenAI, ApiKey = "x", Models = ["gpt-image-1"] };
        var listed = new EgressOptionsValidator(Options.Create(new UpstreamsOptions { AllowedHosts = ["images.example.com"] })).Validate(null, options);
        Assert.False(listed.Succeeded);
        Assert.Contains("ImageOrleans:Accounts:openai:BaseUrl: 'api.openai.com' is not in ImageOrleans:Upstreams:AllowedHosts", listed.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("Accounts:fine", listed.FailureMessage, StringComparison.Ordinal);
    }
}
