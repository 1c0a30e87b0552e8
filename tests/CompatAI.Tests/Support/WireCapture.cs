using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using CompatAI;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Support;

/// <summary>
/// The real CompatAI adapter and OpenAI SDK, with an HTTP handler that records each request body and answers with a
/// canned completion (JSON, or SSE for streams): shows exactly what a middleware pipeline puts on the wire.
/// </summary>
internal sealed class WireCapture : HttpMessageHandler
{
    public List<JsonObject> Bodies { get; } = [];

    public string Reply { get; set; } = "Hello";

    public static (OpenAICompatibleChatClient Adapter, WireCapture Wire) For(string provider, string? model = null)
    {
        var wire = new WireCapture();
        var adapter = new OpenAICompatibleChatClient(new CompatChatClientOptions
        {
            Provider = provider,
            ApiKey = "test-key",
            Model = model ?? "test-model",
            Endpoint = new Uri("http://127.0.0.1:1/v1"),
            HttpClient = new HttpClient(wire),
            Retry = { MaxRetries = 0 },
        });
        return (adapter, wire);
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string body = await request.Content!.ReadAsStringAsync(cancellationToken);
        var json = JsonNode.Parse(body)!.AsObject();
        Bodies.Add(json);
        bool stream = json["stream"]?.GetValue<bool>() == true;
        string reply = System.Text.Json.JsonSerializer.Serialize(Reply);
        string content = stream
            ? $"data: {{\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"delta\":{{\"role\":\"assistant\",\"content\":{reply}}},\"finish_reason\":null}}]}}\n\n"
              + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n"
            : $"{{\"id\":\"c1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"m\",\"choices\":[{{\"index\":0,\"message\":{{\"role\":\"assistant\",\"content\":{reply}}},\"finish_reason\":\"stop\"}}],\"usage\":{{\"prompt_tokens\":1,\"completion_tokens\":1,\"total_tokens\":2}}}}";
        return new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent(content, Encoding.UTF8, stream ? "text/event-stream" : "application/json"),
        };
    }
}
