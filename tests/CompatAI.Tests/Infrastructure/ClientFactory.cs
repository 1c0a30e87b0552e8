using CompatAI;

namespace CompatAI.Tests.Infrastructure;

public static class ClientFactory
{
    public const string TestKey = "sk-test-0123456789abcdefghijklmnopqrstuv";

    /// <summary>An adapter for <paramref name="provider"/> pointed at the loopback server, with retries off unless asked for.</summary>
    public static OpenAICompatibleChatClient For(LoopbackServer server, string provider = "openai", int retries = 0, TimeSpan? timeout = null, string? model = "test-model", Action<CompatChatClientOptions>? configure = null)
    {
        var options = new CompatChatClientOptions
        {
            Provider = provider,
            Endpoint = server.V1,
            ApiKey = TestKey,
            Model = model,
            Timeout = timeout,
            Retry = new RetryOptions { MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(10), MaxDelay = TimeSpan.FromMilliseconds(50) },
        };
        configure?.Invoke(options);
        return new OpenAICompatibleChatClient(options);
    }

    public static ProviderProfile TestProfile(string name, ProviderAuthStyle auth = ProviderAuthStyle.Bearer, string? header = null, bool forceHttp11 = false, Dictionary<string, string>? headers = null) => new()
    {
        Name = name,
        BaseUrl = new Uri("http://127.0.0.1:9/v1"),
        AuthStyle = auth,
        AuthHeaderName = header,
        ForceHttp11 = forceHttp11,
        Headers = headers ?? [],
        DefaultModel = "m",
        Sources = ["test"],
    };
}
