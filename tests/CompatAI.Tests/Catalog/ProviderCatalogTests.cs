using CompatAI;

namespace CompatAI.Tests.Catalog;

public sealed class ProviderCatalogTests
{
    [Fact]
    public void Unknown_provider_error_lists_known_names()
    {
        var ex = Assert.Throws<ArgumentException>(() => ProviderCatalog.Default.Get("nope"));
        Assert.Contains("Unknown provider 'nope'", ex.Message);
        Assert.Contains("openai", ex.Message);
    }

    [Fact]
    public void Malformed_catalog_json_is_a_format_error_naming_the_problem()
    {
        var ex = Assert.Throws<FormatException>(() => ProviderCatalog.FromJson("{\"providers\":[{\"name\":\"x\",\"bogus\":1}]}"u8));
        Assert.Contains("bogus", ex.Message);
    }

    [Fact]
    public void An_alias_equal_to_another_providers_name_is_rejected_naming_both()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProviderCatalog(
        [
            new ProviderProfile { Name = "xai" },
            new ProviderProfile { Name = "other", Aliases = ["XAI"] },
        ]));
        Assert.Contains("'XAI'", ex.Message);
        Assert.Contains("'other'", ex.Message);
        Assert.Contains("'xai'", ex.Message);
    }

    [Fact]
    public void Two_providers_claiming_the_same_alias_are_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ProviderCatalog(
        [
            new ProviderProfile { Name = "a", Aliases = ["shared"] },
            new ProviderProfile { Name = "b", Aliases = ["Shared"] },
        ]));
        Assert.Contains("hared'", ex.Message);
    }

    [Fact]
    public void Adding_a_profile_whose_alias_clashes_with_the_built_in_catalog_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => ProviderCatalog.Default.With(new ProviderProfile { Name = "mykimi", Aliases = ["kimi"] }));
        Assert.Contains("moonshot", ex.Message);
    }

    [Fact]
    public void Replacing_a_built_in_profile_by_name_keeps_the_others()
    {
        var catalog = ProviderCatalog.Default.With(new ProviderProfile { Name = "groq", BaseUrl = new Uri("http://127.0.0.1:9/v1") });
        Assert.Equal(new Uri("http://127.0.0.1:9/v1"), catalog.Get("groq").BaseUrl);
        Assert.Equal(ProviderCatalog.Default.Profiles.Count, catalog.Profiles.Count);
        Assert.Equal("xai", catalog.Get("grok").Name);
    }

    [Fact]
    public void Catalog_json_reads_the_tool_choice_and_endpoint_template_properties()
    {
        var catalog = ProviderCatalog.FromJson("""
            {
              // comments are allowed
              "providers": [
                {
                  "name": "acct",
                  "endpointTemplate": "https://example.test/{account_id}/v1",
                  "quirks": { "supportedToolChoiceValues": ["auto"], "developerRole": "MapToSystem" },
                  "modelRules": [ { "modelPattern": "^big", "quirks": { "supportedToolChoiceValues": ["none", "auto"] }, "sources": ["x"] } ],
                },
              ],
            }
            """u8);
        var profile = catalog.Get("acct");
        Assert.Equal("https://example.test/{account_id}/v1", profile.EndpointTemplate);
        Assert.Equal(["auto"], profile.GetQuirks("small").SupportedToolChoiceValues);
        Assert.Equal(["none", "auto"], profile.GetQuirks("big-1").SupportedToolChoiceValues);
        Assert.Equal(DeveloperRoleSupport.MapToSystem, profile.GetQuirks("big-1").DeveloperRole);
    }

    [Fact]
    public void Unknown_enum_value_in_catalog_json_is_a_format_error()
    {
        var ex = Assert.Throws<FormatException>(() => ProviderCatalog.FromJson("""{"providers":[{"name":"x","quirks":{"systemRole":"Sometimes"}}]}"""u8));
        Assert.Contains("systemRole", ex.Message);
    }

    [Fact]
    public void Merge_keeps_values_the_override_leaves_null_and_replaces_the_rest()
    {
        var baseQuirks = new ProviderQuirks { SupportedToolChoiceValues = ["auto"], MaxChoices = 1, ReasoningFields = ["reasoning"] };
        var merged = baseQuirks.Merge(new ProviderQuirks { SupportedToolChoiceValues = ["none", "auto"], SupportsNamedToolChoice = false });
        Assert.Equal(["none", "auto"], merged.SupportedToolChoiceValues);
        Assert.False(merged.SupportsNamedToolChoice);
        Assert.Equal(1, merged.MaxChoices);
        Assert.Equal(["reasoning"], merged.ReasoningFields);
        Assert.Same(baseQuirks, baseQuirks.Merge(null));
    }

    [Fact]
    public void Catalog_json_that_omits_requiresApiKey_keeps_the_documented_default_of_true()
    {
        var catalog = ProviderCatalog.FromJson("""{"providers":[{"name":"hosted"},{"name":"local","requiresApiKey":false},{"name":"explicit","requiresApiKey":true}]}"""u8);
        Assert.True(catalog.Get("hosted").RequiresApiKey);
        Assert.False(catalog.Get("local").RequiresApiKey);
        Assert.True(catalog.Get("explicit").RequiresApiKey);
        Assert.True(new ProviderProfile { Name = "code" }.RequiresApiKey);
        Assert.False(new ProviderProfile { Name = "code", RequiresApiKey = false }.RequiresApiKey);
    }
}
