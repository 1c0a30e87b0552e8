using CompatAI.Builder;
using CompatAI.Middleware.Fallback;
using CompatAI.Middleware.ParameterSanitizing;
using CompatAI.Middleware.ReasoningExtraction;
using CompatAI.Middleware.SystemMerging;
using CompatAI.Providers;
using CompatAI.Tests.Middleware.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Middleware.Builder;

public sealed class CompatChatClientBuilderTests
{
    private sealed class Recording(IChatClient inner, string name, List<string> log) : DelegatingChatClient(inner)
    {
        public override Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            log.Add(name);
            return base.GetResponseAsync(messages, options, cancellationToken);
        }
    }

    [Fact]
    public async Task First_added_middleware_is_outermost()
    {
        var log = new List<string>();
        var inner = new FakeChatClient();
        var client = new CompatChatClientBuilder(inner)
            .Use(c => new Recording(c, "a", log))
            .Use((c, services) => new Recording(c, "b", log))
            .Build();

        await client.GetResponseAsync("hi");
        Assert.Equal(["a", "b"], log);
        Assert.Single(inner.Calls);
    }

    [Fact]
    public void Factory_constructor_receives_the_services()
    {
        var services = new FakeServices();
        IServiceProvider? seen = null;
        var client = new CompatChatClientBuilder(sp => { seen = sp; return new FakeChatClient(); }).Build(services);
        Assert.Same(services, seen);
        Assert.IsType<FakeChatClient>(client);
    }

    [Fact]
    public void A_factory_returning_null_is_a_clear_error()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new CompatChatClientBuilder(new FakeChatClient()).Use(_ => null!).Build());
        Assert.Contains("returned null", ex.Message);
    }

    [Fact]
    public void Extension_methods_add_each_middleware()
    {
        var client = new CompatChatClientBuilder(new FakeChatClient())
            .UseFallback([new FakeChatClient()])
            .UseParameterSanitizer()
            .UseSystemMerge()
            .UseReasoningExtraction(o => o.Mode = ReasoningOutputMode.Drop)
            .Build();

        var fallback = Assert.IsType<FallbackChatClient>(client);
        var sanitizer = Assert.IsType<ParameterSanitizingChatClient>(fallback.Clients[0]);
        var merge = Assert.IsType<SystemMergingChatClient>(sanitizer.GetService(typeof(SystemMergingChatClient)));
        Assert.NotNull(merge.GetService(typeof(ReasoningExtractingChatClient)));
    }

    [Fact]
    public void Default_pipeline_order_is_sanitizer_then_system_merge_then_reasoning_then_adapter()
    {
        var (adapter, _) = WireCapture.For("perplexity", "sonar");
        var client = CompatPipeline.Compose(adapter, adapter.Profile, "sonar");

        var sanitizer = Assert.IsType<ParameterSanitizingChatClient>(client);
        var merge = Assert.IsType<SystemMergingChatClient>(sanitizer.InnerClientForTests());
        var reasoning = Assert.IsType<ReasoningExtractingChatClient>(merge.InnerClientForTests());
        Assert.Same(adapter, reasoning.InnerClientForTests());
    }

    [Fact]
    public void Default_pipeline_leaves_out_system_merge_where_no_rule_needs_it()
    {
        var (adapter, _) = WireCapture.For("groq");
        var client = CompatPipeline.Compose(adapter, adapter.Profile, "x");
        var sanitizer = Assert.IsType<ParameterSanitizingChatClient>(client);
        Assert.IsType<ReasoningExtractingChatClient>(sanitizer.InnerClientForTests());
        Assert.False(CompatPipeline.NeedsSystemMerge(adapter.Profile));
        Assert.True(CompatPipeline.NeedsSystemMerge(new ProviderProfile { Name = "x", ModelRules = [new ModelRule { ModelPattern = "o1", Quirks = new ProviderQuirks { SystemRole = SystemRoleSupport.Unsupported } }] }));
    }

    private sealed class FakeServices : IServiceProvider
    {
        public object? GetService(Type serviceType) => null;
    }
}

internal static class DelegatingChatClientTestExtensions
{
    public static IChatClient InnerClientForTests(this DelegatingChatClient client) =>
        (IChatClient)typeof(DelegatingChatClient).GetProperty("InnerClient", System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic)!.GetValue(client)!;
}
