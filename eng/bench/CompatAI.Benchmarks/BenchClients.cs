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

    public static ChatClient RawSdk(HttpClient http) => new(
        Model,
        new ApiKeyCredential("sk-bench"),
        new OpenAIClientOptions { Endpoint = s_endpoint, Transport = new HttpClientPipelineTransport(http) });

    public static OpenAICompatibleChatClient Adapter(HttpClient http) => new(new CompatChatClientOptions
    {
        Provider = "openai",
        Endpoint = s_endpoint,
        ApiKey = "sk-bench",
        Model = Model,
        HttpClient = http,
    });
}
