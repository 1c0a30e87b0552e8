using System.ClientModel;
using System.ClientModel.Primitives;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CompatAI;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace CompatAI.Benchmarks;

/// <summary>
/// What CompatAI's <see cref="OpenAICompatibleChatClient"/> costs on top of the raw OpenAI SDK <see cref="ChatClient"/>
/// when both read the same canned bytes from the same in-memory <see cref="HttpMessageHandler"/>: the difference is the
/// adapter (request mapping, wire normalization, response mapping to Microsoft.Extensions.AI types) and nothing else.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class ChatClientOverheadBenchmarks
{
    private const string Model = BenchClients.Model;

    private readonly List<SdkChatMessage> _sdkMessages = BenchClients.SdkMessages();
    private readonly List<AIChatMessage> _aiMessages = BenchClients.AIMessages();

    private HttpClient _nonStreamingHttp = null!;
    private HttpClient _streamingHttp = null!;
    private ChatClient _rawNonStreaming = null!;
    private ChatClient _rawStreaming = null!;
    private IChatClient _compatNonStreaming = null!;
    private IChatClient _compatStreaming = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nonStreamingHttp = BenchClients.NonStreamingHttp();
        _streamingHttp = BenchClients.StreamingHttp();
        _rawNonStreaming = CreateRawClient(_nonStreamingHttp);
        _rawStreaming = CreateRawClient(_streamingHttp);
        _compatNonStreaming = CreateCompatClient(_nonStreamingHttp);
        _compatStreaming = CreateCompatClient(_streamingHttp);

        // Fail fast if a client does not read what the benchmark thinks it reads.
        var expected = CannedResponses.StreamedText.Length;
        if (Streaming_RawSdk().GetAwaiter().GetResult() != expected || Streaming_CompatAI().GetAwaiter().GetResult() != expected)
        {
            throw new InvalidOperationException("A streaming client did not consume the whole canned stream.");
        }

        if (NonStreaming_RawSdk().GetAwaiter().GetResult() != NonStreaming_CompatAI().GetAwaiter().GetResult())
        {
            throw new InvalidOperationException("The two clients read different non-streaming answers.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _compatNonStreaming.Dispose();
        _compatStreaming.Dispose();
        _nonStreamingHttp.Dispose();
        _streamingHttp.Dispose();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_RawSdk()
    {
        ClientResult<ChatCompletion> result = await _rawNonStreaming.CompleteChatAsync(_sdkMessages).ConfigureAwait(false);
        return result.Value.Content[0].Text.Length;
    }

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_CompatAI()
    {
        var response = await _compatNonStreaming.GetResponseAsync(_aiMessages).ConfigureAwait(false);
        return response.Text.Length;
    }

    [Benchmark(Baseline = true)]
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

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public async Task<int> Streaming_CompatAI()
    {
        var length = 0;
        await foreach (var update in _compatStreaming.GetStreamingResponseAsync(_aiMessages).ConfigureAwait(false))
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

    private static ChatClient CreateRawClient(HttpClient httpClient) => BenchClients.RawSdk(httpClient);

    private static OpenAICompatibleChatClient CreateCompatClient(HttpClient httpClient) => BenchClients.Adapter(httpClient);
}
