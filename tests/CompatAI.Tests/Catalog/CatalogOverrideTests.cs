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

    [Fact]
    public void Enum_overrides_take_member_names_in_any_case()
    {
        var catalog = ProviderCatalog.Default.WithOverrides(Config(
            ("Catalog:mistral:AuthStyle", "header"),
            ("Catalog:mistral:AuthHeaderName", "X-Mistral-Key"),
            ("Catalog:mistral:Quirks:SystemRole", "firstonly"),
            ("Catalog:mistral:Quirks:ToolCallIdFormat", "Any"),
            ("Catalog:mistral:Quirks:ReasoningReplay", "REQUIRED")));

        var mistral = catalog.Get("mistral");
        Assert.Equal(ProviderAuthStyle.Header, mistral.AuthStyle);
        Assert.Equal("X-Mistral-Key", mistral.AuthHeaderName);
        Assert.Equal(SystemRoleSupport.FirstOnly, mistral.Quirks.SystemRole);
        Assert.Equal(ToolCallIdFormat.Any, mistral.Quirks.ToolCallIdFormat); // the catalog says Alphanumeric9
        Assert.Equal(ReasoningReplay.Required, mistral.Quirks.ReasoningReplay);
        Assert.Equal("max_tokens", mistral.Quirks.MaxTokensParameter); // not named, kept
        Assert.Equal(ToolCallIdFormat.Alphanumeric9, ProviderCatalog.Default.Get("mistral").Quirks.ToolCallIdFormat);
    }

    [Fact]
    public void A_bad_enum_value_names_the_key_and_the_members()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ProviderCatalog.Default.WithOverrides(Config(("Catalog:mistral:Quirks:SystemRole", "sometimes"))));

        Assert.Contains("'Catalog:mistral:Quirks:SystemRole' is 'sometimes', which is not one of Supported, FirstOnly, Unsupported", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_number_names_the_key_and_the_expected_kind()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ProviderCatalog.Default.WithOverrides(Config(("Catalog:groq:Quirks:MaxTemperature", "1,5"))));

        Assert.Contains("'Catalog:groq:Quirks:MaxTemperature' is '1,5', which is not a valid number", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void List_overrides_replace_the_whole_list_in_order()
    {
        var catalog = ProviderCatalog.Default.WithOverrides(Config(
            ("Catalog:groq:Quirks:UnsupportedParameters:0", "seed"),
            ("Catalog:groq:Quirks:UnsupportedParameters:1", "logprobs"),
            ("Catalog:groq:Quirks:UsageFields:0", "x_groq"),
            ("Catalog:groq:Aliases:0", "groqcloud"),
            ("Catalog:groq:MessageFields:0", "reasoning_details")));

        var groq = catalog.Get("groq");
        Assert.Equal(["seed", "logprobs"], groq.Quirks.UnsupportedParameters); // the catalog lists logprobs, logit_bias, top_logprobs, store
        Assert.Equal(["x_groq"], groq.Quirks.UsageFields);
        Assert.Equal(["groqcloud"], groq.Aliases);
        Assert.Equal(["reasoning_details"], groq.MessageFields);
        Assert.Equal(["reasoning"], groq.Quirks.ReasoningFields); // not named, kept
        Assert.Same(groq, catalog.Get("groqcloud"));
    }

    [Fact]
    public void Nested_quirk_objects_and_dictionaries_merge_key_by_key()
    {
        var catalog = ProviderCatalog.Default.WithOverrides(Config(
            ("Catalog:mistral:Quirks:RenamedParameters:max_tokens", "max_completion_tokens"),
            ("Catalog:mistral:Quirks:ToolChoiceValues:required", "required"),
            ("Catalog:mistral:Quirks:MaxTemperature", "1.5"),
            ("Catalog:mistral:Quirks:SupportsJsonSchema", "false"),
            ("Catalog:mistral:PrefixCompletion:Path", "/v1/fim/"),
            ("Catalog:mistral:Embeddings:Dimensions", "512")));

        var mistral = catalog.Get("mistral");
        Assert.Equal(new Dictionary<string, string> { ["seed"] = "random_seed", ["max_tokens"] = "max_completion_tokens" }, mistral.Quirks.RenamedParameters);
        Assert.Equal(new Dictionary<string, string> { ["required"] = "required" }, mistral.Quirks.ToolChoiceValues); // the catalog maps it to "any"
        Assert.Equal(1.5, mistral.Quirks.MaxTemperature);
        Assert.False(mistral.Quirks.SupportsJsonSchema);
        Assert.Equal(["stream_options"], mistral.Quirks.UnsupportedParameters); // not named, kept
        Assert.Equal("v1/fim", mistral.PrefixCompletion!.Path);
        Assert.Equal(512, mistral.Embeddings!.Dimensions);
    }

    [Fact]
    public void Model_rules_context_windows_and_model_lifecycles_come_from_configuration()
    {
        var catalog = ProviderCatalog.Default.WithOverrides(Config(
            ("Catalog:acme:BaseUrl", "https://llm.acme.example/v1"),
            ("Catalog:acme:Quirks:MaxChoices", "1"),
            ("Catalog:acme:ModelRules:0:ModelPattern", "^acme-r1"),
            ("Catalog:acme:ModelRules:0:Quirks:SystemRole", "Unsupported"),
            ("Catalog:acme:ModelRules:0:Quirks:ReasoningTags:0", "think"),
            ("Catalog:acme:ContextWindows:0:ModelPattern", ".*"),
            ("Catalog:acme:ContextWindows:0:Tokens", "32768"),
            ("Catalog:acme:Models:0:Id", "acme-old"),
            ("Catalog:acme:Models:0:Status", "Retired"),
            ("Catalog:acme:Models:0:Shutdown", "2026-01-31"),
            ("Catalog:acme:Models:0:Replacement", "acme-large")));

        var acme = catalog.Get("acme");
        var r1 = acme.GetQuirks("acme-r1-mini");
        Assert.Equal(SystemRoleSupport.Unsupported, r1.SystemRole);
        Assert.Equal(["think"], r1.ReasoningTags);
        Assert.Equal(1, r1.MaxChoices);
        Assert.Null(acme.GetQuirks("acme-large").SystemRole);
        Assert.Equal(32768, acme.GetContextWindow("acme-large"));
        var old = acme.FindModel("acme-old")!;
        Assert.Equal(ModelStatus.Retired, old.Status);
        Assert.Equal(new DateOnly(2026, 1, 31), old.Shutdown);
        Assert.Equal("acme-large", old.Replacement);
    }

    [Fact]
    public void A_model_rule_without_its_pattern_is_an_error_naming_the_provider_and_the_property()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ProviderCatalog.Default.WithOverrides(Config(("Catalog:acme:ModelRules:0:Quirks:MaxChoices", "1"))));

        Assert.Contains("Configuration 'Catalog:acme' cannot override provider 'acme'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("modelPattern", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_section_where_a_value_belongs_is_an_error_naming_the_key()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => ProviderCatalog.Default.WithOverrides(Config(("Catalog:groq:Quirks:MaxChoices:0", "1"))));

        Assert.Contains("'Catalog:groq:Quirks:MaxChoices' is a single value", ex.Message, StringComparison.Ordinal);
    }
}
