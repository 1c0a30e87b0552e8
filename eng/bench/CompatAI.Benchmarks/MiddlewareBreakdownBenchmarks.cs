using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CompatAI;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI.Benchmarks;

/// <summary>
/// Where <c>CompatChatClient.Create</c>'s overhead over bare <c>AsIChatClient()</c> goes, one layer at a time:
/// <c>UseCompatWireRepairs</c> under <c>AsIChatClient()</c>, CompatAI's small delegating client on top of that
/// (<see cref="OpenAICompatibleChatClient"/>), each middleware alone over it, and the whole pipeline; plus the two
/// per-request middleware steps without any I/O (the sanitizer's request shaping, the extractor's reads of reasoning
/// fields on a parsed <see cref="ChatCompletion"/>). Same canned bodies and options as <see cref="MiddlewarePipelineBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class MiddlewareBreakdownBenchmarks
{
    private const string Model = BenchClients.Model;

    private readonly List<AIChatMessage> _messages = BenchClients.AIMessages();
    private readonly ChatOptions _options = new() { Temperature = 0.7f, MaxOutputTokens = 512 };
    private readonly List<IDisposable> _disposables = [];

    private IChatClient _bare = null!;
    private IChatClient _wireRepairs = null!;
    private OpenAICompatibleChatClient _adapter = null!;
    private IChatClient _sanitizerOnly = null!;
    private IChatClient _reasoningOnly = null!;
    private IChatClient _pipeline = null!;
    private IChatClient _streamingBare = null!;
    private IChatClient _streamingWireRepairs = null!;
    private IChatClient _streamingAdapter = null!;
    private IChatClient _streamingSanitizerOnly = null!;
    private IChatClient _streamingReasoningOnly = null!;
    private IChatClient _streamingPipeline = null!;
    private ParameterSanitizingChatClient _sanitizer = null!;
    private ReasoningExtractingChatClient.Settings _settings = null!;
    private ChatCompletion _completion = null!;

    [GlobalSetup]
    public void Setup()
    {
        var http = Own(BenchClients.NonStreamingHttp());
        _bare = Own(BenchClients.BareAsIChatClient(http));
        _wireRepairs = Own(BenchClients.WireRepairsAsIChatClient(http));
        _adapter = Own(BenchClients.Adapter(http));
        _sanitizer = new ParameterSanitizingChatClient(_adapter, _adapter.Profile);
        _sanitizerOnly = _sanitizer;
        _reasoningOnly = new ReasoningExtractingChatClient(_adapter, _adapter.Profile);
        _pipeline = CompatQuirksPipeline.Wrap(_adapter, _adapter.Profile, options: null, loggerFactory: null);
        _settings = new ReasoningExtractingChatClient.Settings(new ReasoningExtractionOptions(), _adapter.Profile.GetQuirks(Model));

        var streamingHttp = Own(BenchClients.StreamingHttp());
        _streamingBare = Own(BenchClients.BareAsIChatClient(streamingHttp));
        _streamingWireRepairs = Own(BenchClients.WireRepairsAsIChatClient(streamingHttp));
        var streamingAdapter = Own(BenchClients.Adapter(streamingHttp));
        _streamingAdapter = streamingAdapter;
        _streamingSanitizerOnly = new ParameterSanitizingChatClient(streamingAdapter, streamingAdapter.Profile);
        _streamingReasoningOnly = new ReasoningExtractingChatClient(streamingAdapter, streamingAdapter.Profile);
        _streamingPipeline = CompatQuirksPipeline.Wrap(streamingAdapter, streamingAdapter.Profile, options: null, loggerFactory: null);

        _completion = (ChatCompletion)_adapter.GetResponseAsync(_messages, _options).GetAwaiter().GetResult().RawRepresentation!;

        // Fail fast: every layer reads the same answer and the same number of streamed contents.
        var expected = AsIChatClient().GetAwaiter().GetResult();
        if (new[] { WireRepairs(), Adapter(), SanitizerOverAdapter(), ReasoningOverAdapter(), Pipeline() }.Any(t => t.GetAwaiter().GetResult() != expected))
        {
            throw new InvalidOperationException("A layer read a different non-streaming answer than bare AsIChatClient().");
        }

        var expectedStream = Streaming_AsIChatClient().GetAwaiter().GetResult();
        if (new[] { Streaming_WireRepairs(), Streaming_Adapter(), Streaming_SanitizerOverAdapter(), Streaming_ReasoningOverAdapter(), Streaming_Pipeline() }
            .Any(t => t.GetAwaiter().GetResult() != expectedStream))
        {
            throw new InvalidOperationException("A layer read a different stream than bare AsIChatClient().");
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var disposable in _disposables)
        {
            disposable.Dispose();
        }
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> AsIChatClient() => TextLengthAsync(_bare);

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> WireRepairs() => TextLengthAsync(_wireRepairs);

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> Adapter() => TextLengthAsync(_adapter);

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> SanitizerOverAdapter() => TextLengthAsync(_sanitizerOnly);

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> ReasoningOverAdapter() => TextLengthAsync(_reasoningOnly);

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public Task<int> Pipeline() => TextLengthAsync(_pipeline);

    [Benchmark]
    [BenchmarkCategory("NoIO")]
    public int SanitizeOnly() => _sanitizer.Sanitize(_messages, _options).Changes.Count;

    [Benchmark]
    [BenchmarkCategory("NoIO")]
    public int ReadReasoningFieldsOnly() => _settings.ReadMessageReasoning(_completion)?.Length ?? 0;

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_AsIChatClient() => CountAsync(_streamingBare);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_WireRepairs() => CountAsync(_streamingWireRepairs);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_Adapter() => CountAsync(_streamingAdapter);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_SanitizerOverAdapter() => CountAsync(_streamingSanitizerOnly);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_ReasoningOverAdapter() => CountAsync(_streamingReasoningOnly);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_Pipeline() => CountAsync(_streamingPipeline);

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _disposables.Add(disposable);
        return disposable;
    }

    private async Task<int> TextLengthAsync(IChatClient client) => (await client.GetResponseAsync(_messages, _options).ConfigureAwait(false)).Text.Length;

    private async Task<int> CountAsync(IChatClient client)
    {
        int length = 0;
        await foreach (var update in client.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
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
}
