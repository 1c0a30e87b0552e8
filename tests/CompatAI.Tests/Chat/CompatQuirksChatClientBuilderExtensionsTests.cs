using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Chat;

/// <summary>CompatAI's middleware composes on Microsoft.Extensions.AI's own <see cref="ChatClientBuilder"/>.</summary>
public sealed class CompatQuirksChatClientBuilderExtensionsTests
{
    [Fact]
    public void Each_middleware_extension_works_on_the_MEAI_builder_and_composes_with_its_own()
    {
        // new ChatClientBuilder(c).UseReasoningExtraction() did not compile (CS1929) while CompatAI had its own builder.
        var client = new ChatClientBuilder(new FakeChatClient())
            .UseFunctionInvocation()
            .UseFallback([new FakeChatClient()])
            .UseParameterSanitizer("mistral")
            .UseSystemMerge("minimax")
            .UseReasoningExtraction(o => o.Mode = ReasoningOutputMode.Drop)
            .Build();

        var invoking = Assert.IsType<FunctionInvokingChatClient>(client);
        var fallback = Assert.IsType<FallbackChatClient>(invoking.InnerClientForTests());
        var sanitizer = Assert.IsType<ParameterSanitizingChatClient>(fallback.Clients[0]);
        var merge = Assert.IsType<SystemMergingChatClient>(sanitizer.InnerClientForTests());
        Assert.IsType<ReasoningExtractingChatClient>(merge.InnerClientForTests());
        Assert.Equal("mistral", Assert.IsType<ProviderProfile>(sanitizer.GetService(typeof(ProviderProfile))).Name);
    }

    [Fact]
    public void UseCompatQuirks_adds_sanitizer_system_merge_and_reasoning_in_that_order_where_the_profile_needs_the_merge()
    {
        var inner = new FakeChatClient();
        var client = inner.AsBuilder().UseCompatQuirks("perplexity").Build();

        var lifecycle = Assert.IsType<ModelLifecycleChatClient>(client);
        var sanitizer = Assert.IsType<ParameterSanitizingChatClient>(lifecycle.InnerClientForTests());
        var merge = Assert.IsType<SystemMergingChatClient>(sanitizer.InnerClientForTests());
        var reasoning = Assert.IsType<ReasoningExtractingChatClient>(merge.InnerClientForTests());
        Assert.Same(inner, reasoning.InnerClientForTests());
        Assert.Equal("perplexity", Assert.IsType<ProviderProfile>(client.GetService(typeof(ProviderProfile))).Name);
    }

    [Fact]
    public void UseCompatQuirks_leaves_out_system_merge_where_no_rule_needs_it()
    {
        var inner = new FakeChatClient();
        var client = inner.AsBuilder().UseCompatQuirks("groq").Build();
        var sanitizer = Assert.IsType<ParameterSanitizingChatClient>(Assert.IsType<ModelLifecycleChatClient>(client).InnerClientForTests());
        Assert.IsType<ReasoningExtractingChatClient>(sanitizer.InnerClientForTests());
        Assert.False(CompatQuirksPipeline.NeedsSystemMerge(ProviderCatalog.Default.Get("groq")));
        Assert.True(CompatQuirksPipeline.NeedsSystemMerge(new ProviderProfile { Name = "x", ModelRules = [new ModelRule { ModelPattern = "o1", Quirks = new ProviderQuirks { SystemRole = SystemRoleSupport.Unsupported } }] }));
    }

    [Fact]
    public void UseCompatQuirks_names_an_unknown_provider()
    {
        var ex = Assert.Throws<ArgumentException>(() => new FakeChatClient().AsBuilder().UseCompatQuirks("no-such-provider"));
        Assert.Contains("no-such-provider", ex.Message);
    }

    [Fact]
    public void CreateBuilder_puts_application_middleware_outside_the_provider_pipeline()
    {
        var client = CompatChatClient.CreateBuilder(new CompatChatClientOptions { Provider = "ollama", Model = "llama3.2" })
            .UseFunctionInvocation()
            .Build();

        var invoking = Assert.IsType<FunctionInvokingChatClient>(client);
        Assert.IsType<ParameterSanitizingChatClient>(Assert.IsType<ModelLifecycleChatClient>(invoking.InnerClientForTests()).InnerClientForTests());
        Assert.Equal("ollama", invoking.GetService<ChatClientMetadata>()?.ProviderName);
    }
}

internal static class DelegatingChatClientTestExtensions
{
    public static IChatClient InnerClientForTests(this DelegatingChatClient client) =>
        (IChatClient)typeof(DelegatingChatClient).GetProperty("InnerClient", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(client)!;
}
