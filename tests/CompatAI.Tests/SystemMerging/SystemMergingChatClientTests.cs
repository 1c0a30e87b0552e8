using CompatAI;
using CompatAI.Tests.Support;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.SystemMerging;

public sealed class SystemMergingChatClientTests
{
    private static FakeChatClient Inner(ProviderQuirks quirks) => new() { Profile = new ProviderProfile { Name = "p", Quirks = quirks } };

    [Fact]
    public async Task Merges_system_messages_and_instructions_into_the_first_user_message_when_the_role_is_unsupported()
    {
        var inner = Inner(new ProviderQuirks { SystemRole = SystemRoleSupport.Unsupported });
        using var client = new SystemMergingChatClient(inner);
        List<ChatMessage> history = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Hi"), new(ChatRole.Assistant, "Hello"), new(ChatRole.System, "Answer in French."), new(ChatRole.User, "Bye")];
        var options = new ChatOptions { Instructions = "You are a bot." };
        await client.GetResponseAsync(history, options);

        var (sent, sentOptions) = inner.Calls[0];
        Assert.DoesNotContain(sent, static m => m.Role == ChatRole.System);
        Assert.Equal(3, sent.Count);
        Assert.Equal("[System instructions]\nYou are a bot.\n\nBe brief.\n\nAnswer in French.\n[End of system instructions]\n\nHi", sent[0].Text);
        Assert.Null(sentOptions!.Instructions);
        Assert.Equal("You are a bot.", options.Instructions);
        Assert.Equal(5, history.Count);
        Assert.Equal("Hi", history[1].Text);
    }

    [Fact]
    public async Task Moves_a_late_system_message_to_the_front_when_only_first_is_accepted()
    {
        var inner = Inner(new ProviderQuirks { SystemRole = SystemRoleSupport.FirstOnly });
        using var client = new SystemMergingChatClient(inner);
        await client.GetResponseAsync([new(ChatRole.User, "Hi"), new(ChatRole.System, "Be brief.")]);

        var sent = inner.Calls[0].Messages;
        Assert.Equal(ChatRole.System, sent[0].Role);
        Assert.Equal("Be brief.", sent[0].Text);
        Assert.Equal(ChatRole.User, sent[1].Role);
        Assert.Equal(2, sent.Count);
    }

    [Fact]
    public async Task Leaves_everything_alone_where_the_system_role_is_supported()
    {
        var inner = Inner(new ProviderQuirks());
        using var client = new SystemMergingChatClient(inner);
        List<ChatMessage> history = [new(ChatRole.User, "Hi"), new(ChatRole.System, "x")];
        await client.GetResponseAsync(history);
        Assert.Same(history[1], inner.Calls[0].Messages[1]);
    }

    [Fact]
    public async Task Merges_consecutive_same_role_messages_for_strict_alternation()
    {
        var inner = Inner(new ProviderQuirks { RequiresAlternatingRoles = true });
        using var client = new SystemMergingChatClient(inner);
        await client.GetStreamingResponseAsync([new(ChatRole.System, "s"), new(ChatRole.User, "a"), new(ChatRole.User, "b"), new(ChatRole.Assistant, "c"), new(ChatRole.Assistant, "d"), new(ChatRole.User, "e")])
            .GetAsyncEnumerator().MoveNextAsync();

        var sent = inner.Calls[0].Messages;
        Assert.Equal(["system", "user", "assistant", "user"], sent.Select(static m => m.Role.Value));
        Assert.Equal("a\n\nb", sent[1].Text);
        Assert.Equal("c\n\nd", sent[2].Text);
    }

    [Fact]
    public async Task Options_override_the_profile()
    {
        var inner = Inner(new ProviderQuirks { SystemRole = SystemRoleSupport.Unsupported });
        using var client = new SystemMergingChatClient(inner, new SystemMergingOptions { SystemRole = SystemRoleSupport.Supported });
        await client.GetResponseAsync([new(ChatRole.System, "s"), new(ChatRole.User, "u")]);
        Assert.Equal(ChatRole.System, inner.Calls[0].Messages[0].Role);
    }
}
