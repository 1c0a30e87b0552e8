using BenchmarkDotNet.Attributes;
using CompatAI;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI.Benchmarks;

/// <summary>
/// Where the default pipeline's non-streaming overhead goes: each middleware alone over the adapter, and the two
/// per-request steps without any I/O (the sanitizer's request shaping, the extractor's reads of reasoning fields on a
/// parsed <see cref="ChatCompletion"/>). Same canned body and options as <see cref="MiddlewarePipelineBenchmarks"/>.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBreakdownBenchmarks
{
    private const string Model = BenchClients.Model;

    private readonly List<AIChatMessage> _messages = BenchClients.AIMessages();
    private readonly ChatOptions _options = new() { Temperature = 0.7f, MaxOutputTokens = 512 };

    private HttpClient _http = null!;
    private HttpClient _streamingHttp = null!;
    private OpenAICompatibleChatClient _streamingAdapter = null!;
    private IChatClient _streamingSanitizerOnly = null!;
    private IChatClient _streamingReasoningOnly = null!;
    private OpenAICompatibleChatClient _adapter = null!;
    private IChatClient _sanitizerOnly = null!;
    private IChatClient _reasoningOnly = null!;
    private IChatClient _pipeline = null!;
    private ParameterSanitizingChatClient _sanitizer = null!;
    private ReasoningExtractingChatClient.Settings _settings = null!;
    private ChatCompletion _completion = null!;

    [GlobalSetup]
    public void Setup()
    {
        _http = BenchClients.NonStreamingHttp();
        _adapter = BenchClients.Adapter(_http);
        _sanitizer = new ParameterSanitizingChatClient(_adapter);
        _sanitizerOnly = _sanitizer;
        _reasoningOnly = new ReasoningExtractingChatClient(_adapter);
        _pipeline = CompatQuirksPipeline.Wrap(_adapter, _adapter.Profile, options: null, loggerFactory: null);
        _settings = new ReasoningExtractingChatClient.Settings(new ReasoningExtractionOptions(), _adapter.Profile.GetQuirks(Model));
        _streamingHttp = BenchClients.StreamingHttp();
        _streamingAdapter = BenchClients.Adapter(_streamingHttp);
        _streamingSanitizerOnly = new ParameterSanitizingChatClient(_streamingAdapter);
        _streamingReasoningOnly = new ReasoningExtractingChatClient(_streamingAdapter);
        _completion = (ChatCompletion)_adapter.GetResponseAsync(_messages, _options).GetAwaiter().GetResult().RawRepresentation!;
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _adapter.Dispose();
        _http.Dispose();
        _streamingAdapter.Dispose();
        _streamingHttp.Dispose();
    }

    [Benchmark(Baseline = true)]
    public async Task<int> Adapter() => (await _adapter.GetResponseAsync(_messages, _options).ConfigureAwait(false)).Text.Length;

    [Benchmark]
    public async Task<int> SanitizerOverAdapter() => (await _sanitizerOnly.GetResponseAsync(_messages, _options).ConfigureAwait(false)).Text.Length;

    [Benchmark]
    public async Task<int> ReasoningOverAdapter() => (await _reasoningOnly.GetResponseAsync(_messages, _options).ConfigureAwait(false)).Text.Length;

    [Benchmark]
    public async Task<int> Pipeline() => (await _pipeline.GetResponseAsync(_messages, _options).ConfigureAwait(false)).Text.Length;

    [Benchmark]
    public int SanitizeOnly() => _sanitizer.Sanitize(_messages, _options).Changes.Count;

    [Benchmark]
    public int ReadReasoningFieldsOnly() => _settings.ReadMessageReasoning(_completion)?.Length ?? 0;

    [Benchmark]
    public Task<int> Streaming_Adapter() => CountAsync(_streamingAdapter);

    [Benchmark]
    public Task<int> Streaming_SanitizerOverAdapter() => CountAsync(_streamingSanitizerOnly);

    [Benchmark]
    public Task<int> Streaming_ReasoningOverAdapter() => CountAsync(_streamingReasoningOnly);

    private async Task<int> CountAsync(IChatClient client)
    {
        int count = 0;
        await foreach (var update in client.GetStreamingResponseAsync(_messages, _options).ConfigureAwait(false))
        {
            count += update.Contents.Count;
        }

        return count;
    }
}
