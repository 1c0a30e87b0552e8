using System.Text.Json;
using System.Text.RegularExpressions;
using CompatAI;

namespace CompatAI.Tests.Catalog;

/// <summary>Checks the data in the embedded <c>providers.json</c>: coverage, URLs, keys, citations and model rules.</summary>
public sealed class BuiltInCatalogTests
{
    private static readonly string[] s_requiredNames =
    [
        "openai", "anthropic", "gemini", "groq", "deepseek", "xai", "together", "fireworks", "perplexity", "openrouter",
        "mistral", "cohere", "vllm", "gpustack", "llamacpp", "ollama", "lmstudio", "localai", "textgenwebui", "minimax",
        "dashscope", "qianfan", "zhipu", "moonshot", "cerebras", "sambanova", "nvidia", "huggingface", "cloudflare",
        "vercel", "venice", "synthetic", "opencode", "litellm", "anyscale", "custom",
        "azure", "deepinfra", "baseten", "siliconflow", "siliconflow-cn", "novita", "github", "scaleway", "vertex",
        "ollama-cloud", "minimax-cn", "dashscope-us", "zai-coding",
    ];

    private static IReadOnlyList<ProviderProfile> Profiles => ProviderCatalog.Default.Profiles;

    public static TheoryData<string> RequiredNames => [.. s_requiredNames];

    [Theory]
    [MemberData(nameof(RequiredNames))]
    public void Required_provider_is_in_the_built_in_catalog(string name)
    {
        var profile = ProviderCatalog.Default.Get(name);
        Assert.Equal(name, profile.Name);
        Assert.False(string.IsNullOrWhiteSpace(profile.DisplayName));
    }

    [Theory]
    [InlineData("grok", "xai")]
    [InlineData("kimi", "moonshot")]
    [InlineData("qwen", "dashscope")]
    [InlineData("alibaba", "dashscope")]
    [InlineData("glm", "zhipu")]
    [InlineData("zai", "zhipu")]
    [InlineData("hf", "huggingface")]
    [InlineData("nim", "nvidia")]
    [InlineData("oobabooga", "textgenwebui")]
    [InlineData("llama.cpp", "llamacpp")]
    [InlineData("vercel-ai-gateway", "vercel")]
    [InlineData("opencode-zen", "opencode")]
    [InlineData("baidu", "qianfan")]
    [InlineData("GROK", "xai")]
    public void Alias_resolves_to_its_provider(string alias, string expectedName) =>
        Assert.Equal(expectedName, ProviderCatalog.Default.Get(alias).Name);

    [Fact]
    public void Embedded_json_names_and_aliases_are_unique_and_lower_case()
    {
        // Read the raw resource: the catalog itself silently lets a later profile replace an earlier one of the
        // same name, so duplicates are only visible in the document.
        using var document = JsonDocument.Parse(ReadEmbeddedCatalog(), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var providers = document.RootElement.GetProperty("providers").EnumerateArray().ToList();
        Assert.Equal(providers.Count, Profiles.Count);
        foreach (var provider in providers)
        {
            var name = provider.GetProperty("name").GetString()!;
            Assert.Equal(name.ToLowerInvariant(), name);
            Assert.True(seen.Add(name), $"'{name}' appears twice as a name or alias.");
            if (provider.TryGetProperty("aliases", out var aliases))
            {
                foreach (var alias in aliases.EnumerateArray().Select(a => a.GetString()!))
                {
                    Assert.Equal(alias.ToLowerInvariant(), alias);
                    Assert.True(seen.Add(alias), $"'{alias}' (alias of '{name}') appears twice as a name or alias.");
                }
            }
        }
    }

    [Fact]
    public void Every_profile_and_model_rule_cites_sources()
    {
        foreach (var profile in Profiles)
        {
            Assert.True(profile.Sources.Count > 0, $"Provider '{profile.Name}' cites no sources.");
            Assert.All(profile.Sources, s => Assert.False(string.IsNullOrWhiteSpace(s)));
            foreach (var rule in profile.ModelRules)
            {
                Assert.True(rule.Sources.Count > 0, $"Model rule '{rule.ModelPattern}' of '{profile.Name}' cites no sources.");
            }
        }
    }

    [Fact]
    public void Every_quirks_md_citation_names_a_section_that_exists()
    {
        var sections = ReadQuirksSectionIds();
        Assert.Contains("3.3", sections); // the parser found the per-provider headings
        Assert.Contains("1A", sections);

        var citation = new Regex(@"^quirks\.md §(?<id>\S+)$");
        foreach (var profile in Profiles)
        {
            foreach (var source in profile.Sources.Concat(profile.ModelRules.SelectMany(r => r.Sources)))
            {
                if (!source.StartsWith("quirks.md", StringComparison.Ordinal))
                {
                    Assert.True(Uri.TryCreate(source, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps,
                        $"Source '{source}' of '{profile.Name}' is neither a quirks.md section nor an https URL.");
                    continue;
                }

                var match = citation.Match(source);
                Assert.True(match.Success, $"Source '{source}' of '{profile.Name}' is not of the form 'quirks.md §N'.");
                Assert.True(sections.Contains(match.Groups["id"].Value), $"Source '{source}' of '{profile.Name}' names no heading of quirks.md.");
            }
        }
    }

    [Fact]
    public void Every_model_pattern_is_a_valid_regular_expression()
    {
        foreach (var rule in Profiles.SelectMany(p => p.ModelRules))
        {
            var ex = Record.Exception(() => new Regex(rule.ModelPattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));
            Assert.True(ex is null, $"Model pattern '{rule.ModelPattern}' is not a valid regex: {ex?.Message}");
        }
    }

    [Fact]
    public void Hosted_live_providers_use_https()
    {
        foreach (var profile in Profiles.Where(p => p.BaseUrl is not null && p.RetiredMessage is null && !p.BaseUrl.IsLoopback))
        {
            Assert.True(profile.BaseUrl!.Scheme == Uri.UriSchemeHttps, $"'{profile.Name}' uses {profile.BaseUrl}.");
        }
    }

    [Theory]
    [InlineData("ollama", "http://localhost:11434/v1")]
    [InlineData("lmstudio", "http://localhost:1234/v1")]
    [InlineData("llamacpp", "http://localhost:8080/v1")]
    [InlineData("vllm", "http://localhost:8000/v1")]
    [InlineData("localai", "http://localhost:8080/v1")]
    [InlineData("textgenwebui", "http://127.0.0.1:5000/v1")]
    [InlineData("litellm", "http://localhost:4000/v1")]
    public void Local_servers_default_to_their_well_known_url_and_need_no_key(string name, string url)
    {
        var profile = ProviderCatalog.Default.Get(name);
        Assert.Equal(new Uri(url), profile.BaseUrl);
        Assert.False(profile.RequiresApiKey);
    }

    [Theory]
    [InlineData("vllm")]
    [InlineData("gpustack")]
    [InlineData("llamacpp")]
    [InlineData("ollama")]
    [InlineData("lmstudio")]
    [InlineData("localai")]
    [InlineData("textgenwebui")]
    [InlineData("deepseek")]
    [InlineData("zhipu")]
    [InlineData("cerebras")]
    public void Providers_known_to_reject_the_developer_role_map_it_to_system(string name) =>
        Assert.Equal(DeveloperRoleSupport.MapToSystem, ProviderCatalog.Default.Get(name).GetQuirks("any-model").DeveloperRole);

    [Fact]
    public void Only_gpustack_among_loopback_profiles_demands_a_key()
    {
        // GPUStack always issues API keys; every other local server runs without one by default.
        var keyed = Profiles.Where(p => p.BaseUrl?.IsLoopback == true && p.RequiresApiKey).Select(p => p.Name);
        Assert.Equal(["gpustack"], keyed);
    }

    [Fact]
    public void Hosted_providers_require_a_key_read_from_an_upper_case_environment_variable()
    {
        var envVar = new Regex("^[A-Z][A-Z0-9_]*$");
        foreach (var profile in Profiles.Where(p => p.AuthStyle != ProviderAuthStyle.None))
        {
            Assert.True(profile.ApiKeyEnvironmentVariable is { } v && envVar.IsMatch(v), $"'{profile.Name}' has environment variable '{profile.ApiKeyEnvironmentVariable}'.");
        }

        foreach (var profile in Profiles.Where(p => p.BaseUrl is { IsLoopback: false } || p.EndpointTemplate is not null))
        {
            Assert.True(profile.RequiresApiKey, $"Hosted provider '{profile.Name}' does not require a key.");
        }
    }

    [Fact]
    public void Anyscale_is_retired_and_points_to_providers_that_exist()
    {
        var anyscale = ProviderCatalog.Default.Get("anyscale");
        Assert.False(string.IsNullOrWhiteSpace(anyscale.RetiredMessage));
        Assert.Contains("2024", anyscale.RetiredMessage);

        var suggested = Regex.Matches(anyscale.RetiredMessage!, "'([a-z0-9.-]+)'").Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(suggested);
        Assert.All(suggested, name => Assert.True(ProviderCatalog.Default.TryGet(name, out var p) && p.RetiredMessage is null, $"Suggested '{name}' is not a live provider."));

        Assert.Equal(["anyscale"], Profiles.Where(p => p.RetiredMessage is not null).Select(p => p.Name));
    }

    [Fact]
    public void Account_specific_providers_have_no_usable_url_without_an_endpoint()
    {
        var cloudflare = ProviderCatalog.Default.Get("cloudflare");
        Assert.Null(cloudflare.BaseUrl);
        Assert.Contains("{account_id}", cloudflare.EndpointTemplate);

        foreach (var profile in Profiles.Where(p => p.EndpointTemplate is not null))
        {
            Assert.Null(profile.BaseUrl);
            Assert.Matches(@"\{[a-z_]+\}", profile.EndpointTemplate!);
            var filled = Regex.Replace(profile.EndpointTemplate!, @"\{[a-z_]+\}", "0123abcd");
            Assert.True(Uri.TryCreate(filled, UriKind.Absolute, out var url) && url.Scheme == Uri.UriSchemeHttps, $"'{profile.Name}' template does not fill in to an https URL.");
        }

        Assert.Null(ProviderCatalog.Default.Get("custom").BaseUrl);
        // Every profile without a URL is one the caller must complete.
        Assert.All(Profiles.Where(p => p.BaseUrl is null), p => Assert.True(p.Name == "custom" || p.EndpointTemplate is not null, $"'{p.Name}' has neither a URL nor a template."));
    }

    [Fact]
    public void OpenRouter_sends_CompatAI_attribution_headers()
    {
        var headers = ProviderCatalog.Default.Get("openrouter").Headers;
        Assert.Equal("CompatAI", headers["X-Title"]);
        Assert.True(Uri.TryCreate(headers["HTTP-Referer"], UriKind.Absolute, out var referer) && referer.Scheme == Uri.UriSchemeHttps);
    }

    [Fact]
    public void DashScope_forces_http11_and_no_other_provider_does()
    {
        Assert.Equal(["dashscope", "dashscope-us"], Profiles.Where(p => p.ForceHttp11).Select(p => p.Name));
    }

    [Theory]
    [InlineData("o3-mini")]
    [InlineData("o1")]
    [InlineData("o4-mini-2025-04-16")]
    [InlineData("gpt-5")]
    [InlineData("gpt-5.1-mini")]
    public void OpenAI_reasoning_models_use_max_completion_tokens_and_drop_sampling_parameters(string model)
    {
        var quirks = ProviderCatalog.Default.Get("openai").GetQuirks(model);
        Assert.Equal("max_completion_tokens", quirks.MaxTokensParameter);
        Assert.Contains("temperature", quirks.UnsupportedParameters!);
        Assert.Contains("top_p", quirks.UnsupportedParameters!);
        Assert.Contains("logit_bias", quirks.UnsupportedParameters!);
    }

    [Theory]
    [InlineData("gpt-4o")]
    [InlineData("gpt-4o-mini")]
    [InlineData("gpt-5-chat-latest")]
    [InlineData("gpt-4.1")]
    public void OpenAI_chat_models_keep_the_defaults(string model)
    {
        var quirks = ProviderCatalog.Default.Get("openai").GetQuirks(model);
        Assert.Null(quirks.MaxTokensParameter);
        Assert.Null(quirks.UnsupportedParameters);
        Assert.Null(quirks.SystemRole);
    }

    [Fact]
    public void OpenAI_o1_mini_rejects_the_system_role_on_top_of_the_reasoning_rule()
    {
        var quirks = ProviderCatalog.Default.Get("openai").GetQuirks("o1-mini");
        Assert.Equal(SystemRoleSupport.Unsupported, quirks.SystemRole);
        Assert.Equal("max_completion_tokens", quirks.MaxTokensParameter);
        Assert.Contains("temperature", quirks.UnsupportedParameters!);
        Assert.Contains("tools", quirks.UnsupportedParameters!);
        Assert.Null(ProviderCatalog.Default.Get("openai").GetQuirks("o3-mini").SystemRole);
    }

    [Theory]
    [InlineData("deepseek-reasoner", ReasoningReplay.Required)]
    [InlineData("deepseek-v4-pro", ReasoningReplay.Required)]
    [InlineData("deepseek-r1", ReasoningReplay.Rejected)]
    [InlineData("DeepSeek-R1-0528", ReasoningReplay.Rejected)]
    public void DeepSeek_reasoning_replay_follows_the_model(string model, ReasoningReplay expected)
    {
        var quirks = ProviderCatalog.Default.Get("deepseek").GetQuirks(model);
        Assert.Equal(expected, quirks.ReasoningReplay);
        Assert.Equal("reasoning_content", quirks.ReasoningReplayField);
        Assert.Equal(DeveloperRoleSupport.MapToSystem, quirks.DeveloperRole);
        Assert.Contains("logprobs", quirks.UnsupportedParameters!);
    }

    [Theory]
    [InlineData("openai", "gpt-4o-mini")]
    [InlineData("openai", "o3-mini")]
    [InlineData("anthropic", "claude-sonnet-4-5")]
    public void Providers_that_never_return_reasoning_text_name_no_reasoning_field(string provider, string model)
    {
        // quirks.md §1B: no reasoning text in OpenAI's Chat Completions; so the extractor skips its field lookups.
        Assert.Empty(ProviderCatalog.Default.Get(provider).GetQuirks(model).ReasoningFields!);
        Assert.NotEmpty(ProviderCatalog.Default.Get("deepseek").GetQuirks("deepseek-reasoner").ReasoningFields!);
    }

    [Fact]
    public void DeepSeek_chat_has_no_replay_rule_but_keeps_provider_quirks()
    {
        var quirks = ProviderCatalog.Default.Get("deepseek").GetQuirks("deepseek-chat");
        Assert.Null(quirks.ReasoningReplay);
        Assert.Equal("max_tokens", quirks.MaxTokensParameter);
        Assert.Equal(["prompt_cache_hit_tokens", "prompt_cache_miss_tokens"], quirks.UsageFields);
    }

    [Theory]
    [InlineData("kimi-k2-thinking", ReasoningReplay.Required)]
    [InlineData("kimi-k2.6", ReasoningReplay.Required)]
    [InlineData("kimi-k2-0905-preview", null)]
    public void Kimi_thinking_models_require_reasoning_replay(string model, ReasoningReplay? expected)
    {
        var quirks = ProviderCatalog.Default.Get("kimi").GetQuirks(model);
        Assert.Equal(expected, quirks.ReasoningReplay);
        Assert.Equal(["none", "auto"], quirks.SupportedToolChoiceValues);
    }

    [Theory]
    [InlineData("together", "deepseek-ai/DeepSeek-R1", true)]
    [InlineData("together", "Qwen/QwQ-32B", true)]
    [InlineData("together", "meta-llama/Llama-3.3-70B-Instruct-Turbo", false)]
    [InlineData("ollama", "deepseek-r1:8b", true)]
    [InlineData("ollama", "llama3.2", false)]
    [InlineData("llamacpp", "DeepSeek-R1-Distill-Qwen-32B", true)]
    [InlineData("vllm", "kimi-k2-thinking", true)]
    [InlineData("sambanova", "DeepSeek-R1", true)]
    [InlineData("nvidia", "deepseek-ai/deepseek-r1", true)]
    [InlineData("nvidia", "meta/llama-3.1-8b-instruct", false)]
    public void R1_style_models_get_think_tags(string provider, string model, bool expectsThink)
    {
        var tags = ProviderCatalog.Default.Get(provider).GetQuirks(model).ReasoningTags;
        Assert.Equal(expectsThink, tags?.Contains("think") == true);
    }

    [Fact]
    public void Provider_wide_quirks_match_the_atlas_for_the_best_documented_providers()
    {
        var groq = ProviderCatalog.Default.Get("groq").GetQuirks("llama-3.3-70b-versatile");
        Assert.Equal(1, groq.MaxChoices);
        Assert.Contains("logit_bias", groq.UnsupportedParameters!);
        Assert.Contains("logprobs", groq.UnsupportedParameters!);
        Assert.Contains("top_logprobs", groq.UnsupportedParameters!);
        Assert.False(groq.SupportsMessageName);
        Assert.False(groq.SupportsJsonModeWithTools);

        var mistral = ProviderCatalog.Default.Get("mistral").GetQuirks("mistral-small-latest");
        Assert.Equal("random_seed", mistral.RenamedParameters!["seed"]);
        Assert.Equal("any", mistral.ToolChoiceValues!["required"]);
        Assert.Equal(ToolCallIdFormat.Alphanumeric9, mistral.ToolCallIdFormat);
        Assert.Null(mistral.SupportsNamedToolChoice);

        var minimax = ProviderCatalog.Default.Get("minimax").GetQuirks("MiniMax-M2.7");
        Assert.Equal(SystemRoleSupport.FirstOnly, minimax.SystemRole);
        Assert.Equal(0.01, minimax.MinTemperature);
        Assert.Equal(SystemRoleSupport.Unsupported, ProviderCatalog.Default.Get("minimax").GetQuirks("MiniMax-Text-01").SystemRole);

        var perplexity = ProviderCatalog.Default.Get("perplexity").GetQuirks("sonar");
        Assert.True(perplexity.RequiresAlternatingRoles);
        Assert.Equal(["citations", "search_results"], perplexity.CitationFields);
        Assert.Contains("tools", perplexity.UnsupportedParameters!);

        var openrouter = ProviderCatalog.Default.Get("openrouter").GetQuirks("anthropic/claude-3.7-sonnet");
        Assert.Equal(["reasoning", "reasoning_details"], openrouter.ReasoningFields);
        Assert.Equal(["cost", "is_byok", "cost_details"], openrouter.UsageFields);
        Assert.Null(openrouter.ToolCallIdFormat);
        Assert.Equal(ToolCallIdFormat.Alphanumeric9, ProviderCatalog.Default.Get("openrouter").GetQuirks("mistralai/mistral-large").ToolCallIdFormat);

        var xai = ProviderCatalog.Default.Get("grok").GetQuirks("grok-3");
        Assert.Empty(xai.CitationFields!);
        Assert.Equal(["cost_in_usd_ticks"], xai.UsageFields);
        Assert.Contains("search_parameters", xai.UnsupportedParameters!);

        Assert.Equal(ToolCallContentStyle.EmptyString, ProviderCatalog.Default.Get("ollama").GetQuirks("llama3.2").ToolCallContent);
        Assert.Equal(["reasoning", "reasoning_content"], ProviderCatalog.Default.Get("vllm").GetQuirks("any").ReasoningFields);
    }

    [Fact]
    public void Quirk_values_use_only_the_known_wire_names()
    {
        string[] toolChoices = ["none", "auto", "required"];
        string[] maxTokenFields = ["max_tokens", "max_completion_tokens"];
        string[] reasoningFields = ["reasoning_content", "reasoning", "reasoning_details"];
        var allQuirks = Profiles.SelectMany(p => p.ModelRules.Select(r => (p.Name, r.Quirks)).Prepend((p.Name, p.Quirks)));
        foreach (var (name, quirks) in allQuirks)
        {
            if (quirks.MaxTokensParameter is { } field)
            {
                Assert.Contains(field, maxTokenFields);
            }

            Assert.All(quirks.SupportedToolChoiceValues ?? [], v => Assert.Contains(v, toolChoices));
            Assert.All(quirks.ToolChoiceValues?.Keys ?? [], v => Assert.Contains(v, toolChoices));
            Assert.All(quirks.ReasoningFields ?? [], v => Assert.Contains(v, reasoningFields));
            if (quirks.ReasoningReplayField is { } replay)
            {
                Assert.Contains(replay, reasoningFields);
            }

            Assert.All(quirks.UnsupportedParameters ?? [], p => Assert.Matches("^[a-z_]+$", p));
            Assert.True(quirks.MaxChoices is null or >= 1, $"'{name}' has MaxChoices {quirks.MaxChoices}.");
            Assert.True(quirks.MaxStopSequences is null or >= 1, $"'{name}' has MaxStopSequences {quirks.MaxStopSequences}.");
        }
    }

    [Fact]
    public void Providers_readme_has_exactly_one_row_per_provider_with_its_url()
    {
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Reference", "providers-README.md"));
        var rowNames = lines
            .Select(l => Regex.Match(l, @"^\| `(?<name>[a-z0-9-]+)` \|"))
            .Where(m => m.Success)
            .Select(m => m.Groups["name"].Value);
        Assert.Equal(Profiles.Select(p => p.Name).Order(StringComparer.Ordinal), rowNames.Order(StringComparer.Ordinal));

        foreach (var profile in Profiles)
        {
            var line = Assert.Single(lines, l => l.StartsWith($"| `{profile.Name}` |", StringComparison.Ordinal));
            var url = profile.BaseUrl?.OriginalString ?? profile.EndpointTemplate;
            if (url is not null)
            {
                Assert.Contains($"`{url}`", line);
            }

            if (profile.ApiKeyEnvironmentVariable is { } env)
            {
                Assert.Contains($"`{env}`", line);
            }
        }
    }

    private static byte[] ReadEmbeddedCatalog()
    {
        using var stream = typeof(ProviderCatalog).Assembly.GetManifestResourceStream("CompatAI.providers.json")!;
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return buffer.ToArray();
    }

    private static HashSet<string> ReadQuirksSectionIds()
    {
        // Headings look like "### 3.4 Groq", "### 1A. Request side", "## 4. The 15 most ...".
        var heading = new Regex(@"^#{2,3} (?<id>\d+(?:\.\d+|[A-Z])?)\.?\s");
        var lines = File.ReadAllLines(Path.Combine(AppContext.BaseDirectory, "Reference", "quirks.md"));
        return [.. lines.Select(l => heading.Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value)];
    }
}
