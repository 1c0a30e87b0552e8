using Microsoft.Extensions.AI;
using CompatAI;

namespace CompatAI.Tests.Chat;

/// <summary>What <see cref="CompatChatClient.Create"/> refuses, and the words it uses.</summary>
public sealed class CreateValidationTests
{
    [Fact]
    public void Missing_key_names_the_environment_variable()
    {
        var profile = new ProviderProfile { Name = "keyed", BaseUrl = new Uri("https://example.invalid/v1"), DefaultModel = "m", ApiKeyEnvironmentVariable = "COMPATAI_TEST_UNSET_KEY_VAR", Sources = ["test"] };

        var ex = Assert.Throws<ArgumentException>(() => CompatChatClient.Create(new CompatChatClientOptions { Provider = "keyed", Catalog = ProviderCatalog.Default.With(profile) }));

        Assert.Contains("COMPATAI_TEST_UNSET_KEY_VAR", ex.Message, StringComparison.Ordinal);
        Assert.Contains("keyed", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Key_is_read_from_the_profiles_environment_variable()
    {
        var profile = new ProviderProfile { Name = "envkeyed", BaseUrl = new Uri("https://example.invalid/v1"), DefaultModel = "m", ApiKeyEnvironmentVariable = "COMPATAI_TEST_ENV_KEY", Sources = ["test"] };
        Environment.SetEnvironmentVariable("COMPATAI_TEST_ENV_KEY", "sk-from-environment-000000000000");
        try
        {
            using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "envkeyed", Catalog = ProviderCatalog.Default.With(profile) });
            Assert.NotNull(client);
        }
        finally
        {
            Environment.SetEnvironmentVariable("COMPATAI_TEST_ENV_KEY", null);
        }
    }

    [Fact]
    public void Retired_provider_fails_with_its_message()
    {
        var ex = Assert.Throws<ArgumentException>(() => CompatChatClient.Create(new CompatChatClientOptions { Provider = "anyscale", ApiKey = "k" }));

        Assert.Contains("retired", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(ProviderCatalog.Default.Get("anyscale").RetiredMessage!, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Custom_provider_without_endpoint_asks_for_one()
    {
        var ex = Assert.Throws<ArgumentException>(() => CompatChatClient.Create(new CompatChatClientOptions { Provider = "custom", Model = "m" }));

        Assert.Contains("Endpoint", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_provider_lists_the_known_ones()
    {
        var ex = Assert.Throws<ArgumentException>(() => CompatChatClient.Create(new CompatChatClientOptions { Provider = "nosuch" }));

        Assert.Contains("groq", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Alias_resolves_to_the_provider()
    {
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "grok", ApiKey = "xai-test-00000000000000" });

        Assert.Equal("xai", client.GetService<Microsoft.Extensions.AI.ChatClientMetadata>()!.ProviderName);
        Assert.Equal("xai", client.GetService<ProviderProfile>()!.Name);
        Assert.NotNull(client.GetService<OpenAI.Chat.ChatClient>());
    }

    [Fact]
    public void Non_http_endpoint_is_rejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => CompatChatClient.Create(new CompatChatClientOptions { Provider = "custom", Model = "m", Endpoint = new Uri("ftp://x/v1") }));

        Assert.Contains("http", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_retry_count_is_rejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => CompatChatClient.Create(new CompatChatClientOptions { Provider = "openai", ApiKey = "k", Retry = new RetryOptions { MaxRetries = -1 } }));

        Assert.Contains("MaxRetries", ex.Message, StringComparison.Ordinal);
    }
}
