using CompatAI;
using Microsoft.Extensions.Configuration;

namespace CompatAI.Tests.Catalog;

public sealed class CatalogOverrideTests
{
    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build().GetSection("Catalog");

    [Fact]
    public void Configuration_changes_only_the_keys_it_names_and_leaves_the_default_catalog_alone()
    {
        var original = ProviderCatalog.Default.Get("groq");
        var catalog = ProviderCatalog.Default.WithOverrides(Config(
            ("Catalog:groq:BaseUrl", "https://groq.internal.example/openai/v1"),
            ("Catalog:groq:Quirks:MaxChoices", "2"),
            ("Catalog:groq:Quirks:UnsupportedParameters:0", "logit_bias"),
            ("Catalog:groq:Headers:X-Team", "search")));

        var groq = catalog.Get("groq");
        Assert.Equal(new Uri("https://groq.internal.example/openai/v1"), groq.BaseUrl);
        Assert.Equal(2, groq.Quirks.MaxChoices);
        Assert.Equal(["logit_bias"], groq.Quirks.UnsupportedParameters); // a list is replaced, not appended to
        Assert.Equal("search", groq.Headers["X-Team"]);
        Assert.Equal(original.ApiKeyEnvironmentVariable, groq.ApiKeyEnvironmentVariable);
        Assert.Equal(original.Aliases, groq.Aliases);

        Assert.Same(original, ProviderCatalog.Default.Get("groq"));
        Assert.NotEqual(2, original.Quirks.MaxChoices);
    }

    [Fact]
    public void An_unknown_name_adds_a_provider()
    {
        var catalog = ProviderCatalog.Default.WithOverrides(Config(
            ("Catalog:acme:BaseUrl", "https://llm.acme.example/v1"),
            ("Catalog:acme:AuthStyle", "XApiKey"),
            ("Catalog:acme:DefaultModel", "acme-large"),
            ("Catalog:acme:Quirks:SystemRole", "Unsupported")));

        var acme = catalog.Get("acme");
        Assert.Equal(ProviderAuthStyle.XApiKey, acme.AuthStyle);
        Assert.Equal("acme-large", acme.DefaultModel);
        Assert.Equal(SystemRoleSupport.Unsupported, acme.Quirks.SystemRole);
    }

    [Fact]
    public void A_bad_value_names_the_configuration_key()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ProviderCatalog.Default.WithOverrides(Config(("Catalog:groq:Quirks:MaxChoices", "many"))));

        Assert.Contains("Catalog:groq", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_misspelled_key_is_an_error_not_silently_ignored()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ProviderCatalog.Default.WithOverrides(Config(("Catalog:groq:BaseUlr", "https://x.example/v1"))));

        Assert.Contains("BaseUlr", ex.Message, StringComparison.Ordinal);
    }
}
