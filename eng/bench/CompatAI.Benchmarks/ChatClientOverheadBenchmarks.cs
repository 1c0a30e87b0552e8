using System.ClientModel;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CompatAI;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace CompatAI.Benchmarks;

/// <summary>
/// What CompatAI costs on top of Microsoft.Extensions.AI.OpenAI's bare <c>AsIChatClient()</c> (the baseline), with the raw
/// OpenAI SDK <see cref="ChatClient"/> for scale. Every client reads the same canned bytes from the same kind of in-memory
/// <see cref="HttpMessageHandler"/>, so the differences are the layers alone:
/// <list type="bullet">
/// <item><c>RawSdk</c>: <see cref="ChatClient"/>, SDK types in and out.</item>
/// <item><c>AsIChatClient</c> (baseline): the same SDK client behind MEAI.OpenAI's <c>AsIChatClient()</c>.</item>
/// <item><c>CompatClient</c>: <see cref="OpenAICompatibleChatClient"/>, i.e. <c>AsIChatClient()</c> over an SDK client with
/// <c>UseCompatWireRepairs</c> plus CompatAI's small delegating client.</item>
/// <item><c>Create</c>: <see cref="CompatChatClient.Create"/> for provider <c>openai</c>, the quirk middleware over that.</item>
/// </list>
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ChatClientOverheadBenchmarks
{
    private readonly List<SdkChatMessage> _sdkMessages = BenchClients.SdkMessages();
    private readonly List<AIChatMessage> _aiMessages = BenchClients.AIMessages();

    private HttpClient _nonStreamingHttp = null!;
    private HttpClient _streamingHttp = null!;
    private ChatClient _rawNonStreaming = null!;
    private ChatClient _rawStreaming = null!;
    private IChatClient _bareNonStreaming = null!;
    private IChatClient _bareStreaming = null!;
    private IChatClient _compatNonStreaming = null!;
    private IChatClient _compatStreaming = null!;
    private IChatClient _createNonStreaming = null!;
    private IChatClient _createStreaming = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nonStreamingHttp = BenchClients.NonStreamingHttp();
        _streamingHttp = BenchClients.StreamingHttp();
        _rawNonStreaming = BenchClients.RawSdk(_nonStreamingHttp);
        _rawStreaming = BenchClients.RawSdk(_streamingHttp);
        _bareNonStreaming = BenchClients.BareAsIChatClient(_nonStreamingHttp);
        _bareStreaming = BenchClients.BareAsIChatClient(_streamingHttp);
        _compatNonStreaming = BenchClients.Adapter(_nonStreamingHttp);
        _compatStreaming = BenchClients.Adapter(_streamingHttp);
        _createNonStreaming = BenchClients.Create(_nonStreamingHttp);
        _createStreaming = BenchClients.Create(_streamingHttp);

        // Fail fast if a client does not read what the benchmark thinks it reads: every client must see the same answer
        // and the whole stream.
        var answer = _rawNonStreaming.CompleteChatAsync(_sdkMessages).GetAwaiter().GetResult().Value.Content[0].Text;
        if (answer.Length < 1000)
        {
            throw new InvalidOperationException("The raw SDK did not read the canned non-streaming answer.");
        }

        foreach (var (name, client) in NonStreamingClients())
        {
            if (client.GetResponseAsync(_aiMessages).GetAwaiter().GetResult().Text != answer)
            {
                throw new InvalidOperationException($"{name} read a different non-streaming answer than the raw SDK.");
            }
        }

        if (ReadRawStreamAsync().GetAwaiter().GetResult() != CannedResponses.StreamedText)
        {
            throw new InvalidOperationException("The raw SDK did not consume the whole canned stream.");
        }

        foreach (var (name, client) in StreamingClients())
        {
            if (ReadStreamAsync(client).GetAwaiter().GetResult() != CannedResponses.StreamedText)
            {
                throw new InvalidOperationException($"{name} did not consume the whole canned stream.");
            }
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var (_, client) in NonStreamingClients().Concat(StreamingClients()))
        {
            client.Dispose();
        }

        _nonStreamingHttp.Dispose();
        _streamingHttp.Dispose();
    }

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_RawSdk()
    {
        ClientResult<ChatCompletion> result = await _rawNonStreaming.CompleteChatAsync(_sdkMessages).ConfigureAwait(false);
        return result.Value.Content[0].Text.Length;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> NonStreaming_AsIChatClient() => GetTextLengthAsync(_bareNonStreaming);

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> NonStreaming_CompatClient() => GetTextLengthAsync(_compatNonStreaming);

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> NonStreaming_Create() => GetTextLengthAsync(_createNonStreaming);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public async Task<int> Streaming_RawSdk()
    {
        var length = 0;
        await foreach (var update in _rawStreaming.CompleteChatStreamingAsync(_sdkMessages).ConfigureAwait(false))
        {
            foreach (var part in update.ContentUpdate)
            {
                length += part.Text.Length;
            }
        }

        return length;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_AsIChatClient() => StreamTextLengthAsync(_bareStreaming);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_CompatClient() => StreamTextLengthAsync(_compatStreaming);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_Create() => StreamTextLengthAsync(_createStreaming);

    private async Task<int> GetTextLengthAsync(IChatClient client) =>
        (await client.GetResponseAsync(_aiMessages).ConfigureAwait(false)).Text.Length;

    private async Task<int> StreamTextLengthAsync(IChatClient client)
    {
        var length = 0;
        await foreach (var update in client.GetStreamingResponseAsync(_aiMessages).ConfigureAwait(false))
        {
            foreach (var content in update.Contents)
            {
                if (content is TextContent text)
                {
                    length += text.Text.Length;
                }
            }
        }

        return length;
    }

    private IEnumerable<(string Name, IChatClient Client)> NonStreamingClients() =>
        [("AsIChatClient", _bareNonStreaming), ("CompatClient", _compatNonStreaming), ("Create", _createNonStreaming)];

    private IEnumerable<(string Name, IChatClient Client)> StreamingClients() =>
        [("AsIChatClient", _bareStreaming), ("CompatClient", _compatStreaming), ("Create", _createStreaming)];

    private async Task<string> ReadRawStreamAsync()
    {
        var text = new StringBuilder();
        await foreach (var update in _rawStreaming.CompleteChatStreamingAsync(_sdkMessages).ConfigureAwait(false))
        {
            foreach (var part in update.ContentUpdate)
            {
                text.Append(part.Text);
            }
        }

        return text.ToString();
    }

    private async Task<string> ReadStreamAsync(IChatClient client)
    {
        var text = new StringBuilder();
        await foreach (var update in client.GetStreamingResponseAsync(_aiMessages).ConfigureAwait(false))
        {
            foreach (var content in update.Contents)
            {
                if (content is TextContent t)
                {
                    text.Append(t.Text);
                }
            }
        }

        return text.ToString();
    }

    /// <summary>The benchmarks by name, for <see cref="InterleavedComparison"/>: raw SDK first, then the baseline.</summary>
    internal IReadOnlyList<(string Name, Func<Task<int>> Run)> NonStreamingOperations() =>
        [("RawSdk", NonStreaming_RawSdk), ("AsIChatClient", NonStreaming_AsIChatClient), ("CompatClient", NonStreaming_CompatClient), ("Create", NonStreaming_Create)];

    /// <summary>The streaming benchmarks by name, for <see cref="InterleavedComparison"/>.</summary>
    internal IReadOnlyList<(string Name, Func<Task<int>> Run)> StreamingOperations() =>
        [("RawSdk", Streaming_RawSdk), ("AsIChatClient", Streaming_AsIChatClient), ("CompatClient", Streaming_CompatClient), ("Create", Streaming_Create)];
}
