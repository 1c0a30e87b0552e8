using System.ClientModel;
using System.ClientModel.Primitives;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CompatAI;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace CompatAI.Benchmarks;

/// <summary>
/// Splits CompatAI's overhead into its layers, for the investigation in eng/bench/README.md. Run with
/// <c>-- --breakdown --filter '*'</c>. "SdkOverCompatPipeline" is the raw SDK <see cref="ChatClient"/> that CompatAI builds
/// (its policies and <see cref="SseNormalizingStream"/>) consumed directly, so CompatAI minus it is the MEAI mapping and
/// it minus RawSdk is the transport layer.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OverheadBreakdownBenchmarks
{
    private readonly List<SdkChatMessage> _sdkMessages = [new SystemChatMessage("You are a concise assistant."), new UserChatMessage("Explain what a benchmark baseline is.")];
    private readonly byte[] _sseReadBuffer = new byte[4096];

    private HttpClient _streamingHttp = null!;
    private HttpClient _nonStreamingHttp = null!;
    private ChatClient _raw = null!;
    private ChatClient _rawNonStreaming = null!;
    private ChatClient _sdkOverCompatPipeline = null!;
    private ChatClient _sdkOverCompatPipelineNonStreaming = null!;
    private readonly List<Microsoft.Extensions.AI.ChatMessage> _aiMessages = [new(ChatRole.System, "You are a concise assistant."), new(ChatRole.User, "Explain what a benchmark baseline is.")];
    private StreamingChatCompletionUpdate[] _updates = null!;
    private ChatCompletion _completion = null!;
    private IChatClient _compatForMapping = null!;
    private byte[][] _payloads = null!;

    [GlobalSetup]
    public void Setup()
    {
        _streamingHttp = new HttpClient(new CannedResponseHandler(CannedResponses.ChatCompletionStreamSse, "text/event-stream"));
        _nonStreamingHttp = new HttpClient(new CannedResponseHandler(CannedResponses.ChatCompletionJson, "application/json"));
        _raw = Raw(_streamingHttp);
        _rawNonStreaming = Raw(_nonStreamingHttp);
        _sdkOverCompatPipeline = (ChatClient)Compat(_streamingHttp).GetService(typeof(ChatClient))!;
        _sdkOverCompatPipelineNonStreaming = (ChatClient)Compat(_nonStreamingHttp).GetService(typeof(ChatClient))!;

        _payloads = System.Text.Encoding.UTF8.GetString(CannedResponses.ChatCompletionStreamSse)
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line["data: ".Length..])
            .Where(payload => payload != "[DONE]")
            .Select(System.Text.Encoding.UTF8.GetBytes)
            .ToArray();
        _completion = ModelReaderWriter.Read<ChatCompletion>(BinaryData.FromBytes(CannedResponses.ChatCompletionJson))!;
        _compatForMapping = Compat(_nonStreamingHttp);
        _updates = _payloads.Select(p => ModelReaderWriter.Read<StreamingChatCompletionUpdate>(BinaryData.FromBytes(p))!).ToArray();
    }

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_RawSdk() => ConsumeAsync(_raw);

    [Benchmark]
    [BenchmarkCategory("Streaming")]
    public Task<int> Streaming_SdkOverCompatPipeline() => ConsumeAsync(_sdkOverCompatPipeline);

    [Benchmark(Baseline = true)]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_RawSdk() => (await _rawNonStreaming.CompleteChatAsync(_sdkMessages).ConfigureAwait(false)).Value.Content[0].Text.Length;

    [Benchmark]
    [BenchmarkCategory("NonStreaming")]
    public async Task<int> NonStreaming_SdkOverCompatPipeline() => (await _sdkOverCompatPipelineNonStreaming.CompleteChatAsync(_sdkMessages).ConfigureAwait(false)).Value.Content[0].Text.Length;

    /// <summary>The SDK's own deserialization of the non-streaming body, for scale.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("NonStreamingParts")]
    public int SdkDeserialize_Body() => ModelReaderWriter.Read<ChatCompletion>(BinaryData.FromBytes(CannedResponses.ChatCompletionJson))!.Content.Count;

    /// <summary><see cref="WireJsonNormalizer.Scan"/> over the non-streaming body (done by <see cref="WireNormalizingPolicy"/>).</summary>
    [Benchmark]
    [BenchmarkCategory("NonStreamingParts")]
    public int Scan_Body() => (int)WireJsonNormalizer.Scan(CannedResponses.ChatCompletionJson);

    /// <summary><see cref="WireJsonNormalizer.ScanPrecisely"/> (the full tokenizing scan, which every body got before the fast path) over the same body.</summary>
    [Benchmark]
    [BenchmarkCategory("NonStreamingParts")]
    public int ScanPrecisely_Body() => (int)WireJsonNormalizer.ScanPrecisely(CannedResponses.ChatCompletionJson);

    /// <summary>Mapping the MEAI request to the SDK's messages and options.</summary>
    [Benchmark]
    [BenchmarkCategory("NonStreamingParts")]
    public int MapRequest() => ChatRequestMapper.ToSdkMessages(_aiMessages, null).Count + (ChatRequestMapper.ToSdkOptions(null, _compatForMapping).Temperature is null ? 0 : 1);

    /// <summary>Mapping the SDK's completion to a MEAI <see cref="ChatResponse"/> (reasoning lookup skipped, as for this body).</summary>
    [Benchmark]
    [BenchmarkCategory("NonStreamingParts")]
    public int MapResponse() => ChatResponseMapper.ToChatResponse(_completion, WireJsonNormalizer.MayContainReasoning(CannedResponses.ChatCompletionJson)).Messages.Count;

    /// <summary>The reasoning lookup on the completion, as made before the gate.</summary>
    [Benchmark]
    [BenchmarkCategory("NonStreamingParts")]
    public bool PatchLookup_Completion() => _completion.Patch.TryGetValue("$.choices[0].message.reasoning_content"u8, out string? reasoning) && reasoning is not null;

    /// <summary>The 200-chunk body read straight from memory, 4 KB at a time.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("SseStream")]
    public async Task<int> SseBody_Plain()
    {
        using var stream = new MemoryStream(CannedResponses.ChatCompletionStreamSse, writable: false);
        return await DrainAsync(stream).ConfigureAwait(false);
    }

    /// <summary>The same body through <see cref="SseNormalizingStream"/> (line split, <see cref="WireJsonNormalizer.Scan"/> per chunk, copy).</summary>
    [Benchmark]
    [BenchmarkCategory("SseStream")]
    public async Task<int> SseBody_Normalized()
    {
        using var stream = new SseNormalizingStream(new MemoryStream(CannedResponses.ChatCompletionStreamSse, writable: false), "openai", "sk-bench");
        return await DrainAsync(stream).ConfigureAwait(false);
    }

    /// <summary><see cref="WireJsonNormalizer.Scan"/> (fast byte search, precise scan only when a marker is found) alone over the 200 chunk payloads.</summary>
    [Benchmark]
    [BenchmarkCategory("PerChunk")]
    public int Scan_200Chunks()
    {
        var finished = 0;
        foreach (var payload in _payloads)
        {
            finished += (int)(WireJsonNormalizer.Scan(payload) & WireJsonNormalizer.Findings.Finished);
        }

        return finished;
    }

    /// <summary><see cref="WireJsonNormalizer.ScanPrecisely"/> over the 200 chunk payloads: the cost per stream before the fast path.</summary>
    [Benchmark]
    [BenchmarkCategory("PerChunk")]
    public int ScanPrecisely_200Chunks()
    {
        var finished = 0;
        foreach (var payload in _payloads)
        {
            finished += (int)(WireJsonNormalizer.ScanPrecisely(payload) & WireJsonNormalizer.Findings.Finished);
        }

        return finished;
    }

    /// <summary>The reasoning_content lookup the adapter makes on each of the 200 updates.</summary>
    [Benchmark]
    [BenchmarkCategory("PerChunk")]
    public int PatchLookup_200Updates()
    {
        var found = 0;
        foreach (var update in _updates)
        {
            if (update.Patch.TryGetValue("$.choices[0].delta.reasoning_content"u8, out string? reasoning) && reasoning is not null)
            {
                found++;
            }
        }

        return found;
    }

    /// <summary>What a raw SDK consumer reads of each of the 200 updates, for scale.</summary>
    [Benchmark(Baseline = true)]
    [BenchmarkCategory("PerChunk")]
    public int ContentUpdate_200Updates()
    {
        var length = 0;
        foreach (var update in _updates)
        {
            foreach (var part in update.ContentUpdate)
            {
                length += part.Text.Length;
            }
        }

        return length;
    }

    private async Task<int> ConsumeAsync(ChatClient client)
    {
        var length = 0;
        await foreach (var update in client.CompleteChatStreamingAsync(_sdkMessages).ConfigureAwait(false))
        {
            foreach (var part in update.ContentUpdate)
            {
                length += part.Text.Length;
            }
        }

        return length;
    }

    private async Task<int> DrainAsync(Stream stream)
    {
        int read, total = 0;
        while ((read = await stream.ReadAsync(_sseReadBuffer).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return total;
    }

    private static ChatClient Raw(HttpClient http) => BenchClients.RawSdk(http);

    private static OpenAICompatibleChatClient Compat(HttpClient http) => BenchClients.Adapter(http);
}
