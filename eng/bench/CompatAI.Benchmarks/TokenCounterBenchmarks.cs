using BenchmarkDotNet.Attributes;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

namespace CompatAI.Benchmarks;

/// <summary>
/// Counting a 4k-token conversation with <see cref="TokenCounter"/> against one request of the same conversation over
/// loopback (the emulator on 127.0.0.1, through <c>CompatChatClient.Create</c>). Goal: counting costs under 1 % of the
/// request. Run with <c>-- --tokens --filter '*'</c>.
/// </summary>
[MemoryDiagnoser]
public class TokenCounterBenchmarks
{
    private ProviderEmulator _emulator = null!;
    private IChatClient _client = null!;
    private TokenCounter _counter = null!;
    private List<ChatMessage> _conversation = null!;
    private IChatClient _checked = null!;

    [GlobalSetup]
    public void Setup()
    {
        _emulator = ProviderEmulator.StartAsync().GetAwaiter().GetResult();
        _client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "openai",
            Endpoint = _emulator.GetEndpoint("openai"),
            ApiKey = "bench",
            Model = "gpt-4o-mini",
        });
        _counter = TokenCounter.ForModel("gpt-4o-mini");
        _checked = new ContextWindowCheckingChatClient(new AnsweringClient(ProviderCatalog.Default.Get("openai"), "gpt-4o-mini"));

        // Ten turns of ordinary English prose, about 4,000 tokens in all.
        const string Paragraph = "A benchmark baseline is the measurement every other result is compared with. It is taken on the same machine, in the same run, with the same inputs, so that what differs between two rows is the code under test and nothing else. ";
        _conversation = [new(ChatRole.System, "You are a careful assistant who answers in plain English.")];
        for (var turn = 0; turn < 10; turn++)
        {
            _conversation.Add(new ChatMessage(turn % 2 == 0 ? ChatRole.User : ChatRole.Assistant, string.Concat(Enumerable.Repeat(Paragraph, 9))));
        }

        var tokens = _counter.CountChat(_conversation).Tokens;
        if (tokens is < 3500 or > 4500)
        {
            throw new InvalidOperationException($"The conversation is {tokens} tokens, not about 4,000.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _client.Dispose();
        _emulator.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    [Benchmark]
    public int Count4kTokenConversation() => _counter.CountChat(_conversation).Tokens;

    /// <summary>
    /// The same conversation counted as if for the first time: every message text is a fresh string instance (copied
    /// here, about 2 µs of the row), so <see cref="TokenCounter"/>'s per-string cache cannot answer and every text is
    /// tokenized. (Microsoft.ML.Tokenizers' own per-word cache stays warm, as it does in a running process.)
    /// </summary>
    [Benchmark]
    public int Count4kTokenConversationFirstTime()
    {
        var fresh = new List<ChatMessage>(_conversation.Count);
        foreach (var message in _conversation)
        {
            fresh.Add(new ChatMessage(message.Role, new string(message.Text.AsSpan())));
        }

        return _counter.CountChat(fresh).Tokens;
    }

    /// <summary>
    /// What <c>UseContextWindowCheck</c> costs on that first-time conversation when it fits the window (gpt-4o-mini:
    /// 128,000 tokens): the check over a client that answers at once, with fresh strings as above. The check bounds the
    /// prompt by its UTF-8 size and runs the tokenizer only when that bound does not fit.
    /// </summary>
    [Benchmark]
    public async Task<int> ContextWindowCheck4kTokenConversationFirstTime()
    {
        var fresh = new List<ChatMessage>(_conversation.Count);
        foreach (var message in _conversation)
        {
            fresh.Add(new ChatMessage(message.Role, new string(message.Text.AsSpan())));
        }

        return (await _checked.GetResponseAsync(fresh).ConfigureAwait(false)).Messages.Count;
    }

    [Benchmark(Baseline = true)]
    public async Task<int> LoopbackRequest() => (await _client.GetResponseAsync(_conversation).ConfigureAwait(false)).Text.Length;

    /// <summary>Answers at once, and reports the profile and model the check needs.</summary>
    private sealed class AnsweringClient(ProviderProfile profile, string model) : IChatClient
    {
        private readonly ChatResponse _response = new(new ChatMessage(ChatRole.Assistant, "ok"));
        private readonly ChatClientMetadata _metadata = new("openai", defaultModelId: model);

        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => Task.FromResult(_response);

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceType == typeof(ProviderProfile) ? profile : serviceType == typeof(ChatClientMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }
}
