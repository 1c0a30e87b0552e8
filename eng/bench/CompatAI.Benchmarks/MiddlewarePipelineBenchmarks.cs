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
/// The quirk middleware as <c>CompatChatClient.Create</c> composes it (<c>CompatQuirksPipeline.Wrap</c>: parameter
/// sanitizer and reasoning extractor for provider <c>openai</c>) over CompatAI's client, against bare
/// <c>AsIChatClient()</c> (the baseline), the raw OpenAI SDK and CompatAI's client alone, all reading the same canned
/// bytes, with <see cref="ChatOptions.Temperature"/> and <see cref="ChatOptions.MaxOutputTokens"/> set so that the
/// sanitizer has options to inspect.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MiddlewarePipelineBenchmarks
{
    private const string Model = BenchClients.Model;

    private readonly List<SdkChatMessage> _sdkMessages = BenchClients.SdkMessages();
    private readonly List<AIChatMessage> _aiMessages = BenchClients.AIMessages();
    private readonly ChatOptions _options = new() { Temperature = 0.7f, MaxOutputTokens = 512 };
    private readonly ChatCompletionOptions _sdkOptions = new() { Temperature = 0.7f, MaxOutputTokenCount = 512 };

    private HttpClient _nonStreamingHttp = null!;
    private HttpClient _streamingHttp = null!;
    private ChatClient _rawNonStreaming = null!;
    private ChatClient _rawStreaming = null!;
    private IChatClient _bareNonStreaming = null!;
    private IChatClient _bareStreaming = null!;
    private IChatClient _adapterNonStreaming = null!;
    private IChatClient _adapterStreaming = null!;
    private IChatClient _pipelineNonStreaming = null!;
    private IChatClient _pipelineStreaming = null!;

    [GlobalSetup]
    public void Setup()
    {
        _nonStreamingHttp = BenchClients.NonStreamingHttp();
        _streamingHttp = BenchClients.StreamingHttp();
        _rawNonStreaming = CreateRawClient(_nonStreamingHttp);
        _rawStreaming = CreateRawClient(_streamingHttp);
        _bareNonStreaming = BenchClients.BareAsIChatClient(_nonStreamingHttp);
        _bareStreaming = BenchClients.BareAsIChatClient(_streamingHttp);
        _adapterNonStreaming = CreateAdapter(_nonStreamingHttp);
        _adapterStreaming = CreateAdapter(_streamingHttp);
        _pipelineNonStreaming = Compose(CreateAdapter(_nonStreamingHttp));
        _pipelineStreaming = Compose(CreateAdapter(_streamingHttp));

        var expected = CannedResponses.StreamedText.Length;
        if (Streaming_RawSdk().GetAwaiter().GetResult() != expected || Streaming_AsIChatClient().GetAwaiter().GetResult() != expected
            || Streaming_Adapter().GetAwaiter().GetResult() != expected || Streaming_Pipeline().GetAwaiter().GetResult() != expected)
        {
            throw new InvalidOperationException("A streaming client did not consume the whole canned stream.");
        }

        var answer = NonStreaming_RawSdk().GetAwaiter().GetResult();
        if (NonStreaming_AsIChatClient().GetAwaiter().GetResult() != answer || NonStreaming_Adapter().GetAwaiter().GetResult() != answer
            || NonStreaming_Pipeline().GetAwaiter().GetResult() != answer)
        {
            throw new InvalidOperationException("The clients read different non-streaming answers.");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _bareNonStreaming.Dispose();
        _bareStreaming.Dispose();
        _adapterNonStreaming.Dispose();
        _adapterStreaming.Dispose();
        _pipelineNonStreaming.Dispose();
        _pipelineStreaming.Dispose();
        _nonStreamingHttp.Dispose();
        _streamingHttp.Dispose();
    }

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_RawSdk()
    {
        ClientResult<ChatCompletion> result = await _rawNonStreaming.CompleteChatAsync(_sdkMessages, _sdkOptions).ConfigureAwait(false);
        return result.Value.Content[0].Text.Length;
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_AsIChatClient() => (await _bareNonStreaming.GetResponseAsync(_aiMessages, _options).ConfigureAwait(false)).Text.Length;

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_Adapter() => (await _adapterNonStreaming.GetResponseAsync(_aiMessages, _options).ConfigureAwait(false)).Text.Length;

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_Pipeline() => (await _pipelineNonStreaming.GetResponseAsync(_aiMessages, _options).ConfigureAwait(false)).Text.Length;

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public async Task<int> Streaming_RawSdk()
    {
        var length = 0;
        await foreach (var update in _rawStreaming.CompleteChatStreamingAsync(_sdkMessages, _sdkOptions).ConfigureAwait(false))
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
    public Task<int> Streaming_AsIChatClient() => CountTextAsync(_bareStreaming);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_Adapter() => CountTextAsync(_adapterStreaming);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_Pipeline() => CountTextAsync(_pipelineStreaming);

    private async Task<int> CountTextAsync(IChatClient client)
    {
        var length = 0;
        await foreach (var update in client.GetStreamingResponseAsync(_aiMessages, _options).ConfigureAwait(false))
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

    private static IChatClient Compose(OpenAICompatibleChatClient adapter) => CompatQuirksPipeline.Wrap(adapter, adapter.Profile, options: null, loggerFactory: null);

    private static ChatClient CreateRawClient(HttpClient httpClient) => BenchClients.RawSdk(httpClient);

    private static OpenAICompatibleChatClient CreateAdapter(HttpClient httpClient) => BenchClients.Adapter(httpClient);
}
