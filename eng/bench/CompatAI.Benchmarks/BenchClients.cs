using System.ClientModel;
using System.ClientModel.Primitives;
using CompatAI;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;
using SdkChatMessage = OpenAI.Chat.ChatMessage;

namespace CompatAI.Benchmarks;

/// <summary>The clients, conversation and canned transports every benchmark class compares, built one way.</summary>
internal static class BenchClients
{
    public const string Model = "gpt-4o-mini";
    private const string SystemPrompt = "You are a concise assistant.";
    private const string UserPrompt = "Explain in a few paragraphs what a benchmark baseline is.";
    private static readonly Uri s_endpoint = new("http://bench.local/v1");

    public static List<SdkChatMessage> SdkMessages() => [new SystemChatMessage(SystemPrompt), new UserChatMessage(UserPrompt)];

    public static List<AIChatMessage> AIMessages() => [new(ChatRole.System, SystemPrompt), new(ChatRole.User, UserPrompt)];

    /// <summary>An HTTP client answering every request with the canned non-streaming completion.</summary>
    public static HttpClient NonStreamingHttp() => new(new CannedResponseHandler(CannedResponses.ChatCompletionJson, "application/json"));

    /// <summary>An HTTP client answering every request with the canned 200-chunk stream.</summary>
    public static HttpClient StreamingHttp() => new(new CannedResponseHandler(CannedResponses.ChatCompletionStreamSse, "text/event-stream"));

    /// <summary>The raw OpenAI SDK client over <paramref name="http"/>: no Microsoft.Extensions.AI, no CompatAI.</summary>
    public static ChatClient RawSdk(HttpClient http) => new(
        Model,
        new ApiKeyCredential("sk-bench"),
        new OpenAIClientOptions { Endpoint = s_endpoint, Transport = new HttpClientPipelineTransport(http) });

    /// <summary>Microsoft.Extensions.AI.OpenAI's <c>AsIChatClient()</c> over the raw SDK client: the baseline CompatAI builds on.</summary>
    public static IChatClient BareAsIChatClient(HttpClient http) => RawSdk(http).AsIChatClient();

    /// <summary>
    /// <c>AsIChatClient()</c> over an SDK client configured with <c>UseCompatWireRepairs("openai")</c> (endpoint, retry,
    /// auth style and the wire repairs), without CompatAI's small client on top: isolates the transport layer's cost.
    /// </summary>
    public static IChatClient WireRepairsAsIChatClient(HttpClient http) => new ChatClient(
        Model,
        new ApiKeyCredential("sk-bench"),
        new OpenAIClientOptions { Endpoint = s_endpoint, Transport = new HttpClientPipelineTransport(http) }.UseCompatWireRepairs("openai")).AsIChatClient();

    /// <summary>CompatAI's client alone (<c>AsIChatClient()</c> + wire repairs + the small delegating client), no quirk middleware.</summary>
    public static OpenAICompatibleChatClient Adapter(HttpClient http) => new(Options(http));

    /// <summary>What applications get: <see cref="CompatChatClient.Create"/> (quirk middleware over CompatAI's client) for provider <c>openai</c>.</summary>
    public static IChatClient Create(HttpClient http) => CompatChatClient.Create(Options(http));

    private static CompatChatClientOptions Options(HttpClient http) => new()
    {
        Provider = "openai",
        Endpoint = s_endpoint,
        ApiKey = "sk-bench",
        Model = Model,
        HttpClient = http,
    };
}
