using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using CompatAI.Emulator;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests.SharedState;

/// <summary>
/// One provider emulator and gateways over it with the management API: <c>alpha</c> (the emulator's deepseek personality,
/// whose 429 is a plain rate limit) and
/// <c>beta</c> (its openrouter personality, which reports <c>usage.cost</c> = total tokens × 0.000001 USD), chained as
/// <c>CompatAI:Fallback</c> [alpha, beta]. With a Redis configuration string, every gateway started shares state through it.
/// </summary>
internal sealed class SharedStateSetup : IAsyncDisposable
{
    public const string EmulatorKey = "sk-emulator-shared-7c2a";
    public const string AlphaModel = "deepseek-chat";
    public const string AlphaPersonality = "deepseek";
    public const string BetaModel = "openai/gpt-4o-mini";

    private readonly List<GatewayServer> _gateways = [];
    private readonly IDictionary<string, string?> _config;

    private SharedStateSetup(ProviderEmulator emulator, IDictionary<string, string?> config)
    {
        Emulator = emulator;
        _config = config;
    }

    public ProviderEmulator Emulator { get; }

    /// <summary>Gets how many chat requests reached the emulator.</summary>
    public int UpstreamChatRequests => Emulator.Requests.Count(r => r.Path.EndsWith("/chat/completions", StringComparison.Ordinal));

    public static async Task<SharedStateSetup> StartAsync(string? redis, IDictionary<string, string?>? extra = null)
    {
        var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = EmulatorKey });
        var config = new Dictionary<string, string?>
        {
            ["CompatAI:Fallback:0"] = "alpha",
            ["CompatAI:Fallback:1"] = "beta",
        };
        void Provider(string name, string personality, string model)
        {
            config[$"CompatAI:Providers:{name}:Provider"] = personality;
            config[$"CompatAI:Providers:{name}:Endpoint"] = emulator.GetEndpoint(personality).ToString();
            config[$"CompatAI:Providers:{name}:Model"] = model;
            config[$"CompatAI:Providers:{name}:ApiKey"] = EmulatorKey;
            config[$"CompatAI:Providers:{name}:Retry:MaxRetries"] = "0";
        }

        Provider("alpha", AlphaPersonality, AlphaModel);
        Provider("beta", "openrouter", BetaModel);
        if (redis is not null)
        {
            config["CompatAI:Redis:Configuration"] = redis;
            config["CompatAI:Redis:KeyPrefix"] = "test-" + Guid.NewGuid().ToString("N")[..8] + ":";
        }

        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        return new SharedStateSetup(emulator, config);
    }

    /// <summary>Adds a provider on the emulator (as <c>alpha</c> and <c>beta</c> are) to the configuration of the gateways started after.</summary>
    public void AddProvider(string name, string personality, string model)
    {
        _config[$"CompatAI:Providers:{name}:Provider"] = personality;
        _config[$"CompatAI:Providers:{name}:Endpoint"] = Emulator.GetEndpoint(personality).ToString();
        _config[$"CompatAI:Providers:{name}:Model"] = model;
        _config[$"CompatAI:Providers:{name}:ApiKey"] = EmulatorKey;
        _config[$"CompatAI:Providers:{name}:Retry:MaxRetries"] = "0";
    }

    /// <summary>Starts one more gateway (a replica) with the setup's configuration.</summary>
    public async Task<GatewayServer> StartGatewayAsync()
    {
        var gateway = await GatewayServer.StartAsync(new Dictionary<string, string?>(_config), management: true);
        _gateways.Add(gateway);
        return gateway;
    }

    public static HttpRequestMessage ChatRequest(string model, string text, string? clientKey, bool stream = false)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent(
                $$"""{"model":"{{model}}","stream":{{(stream ? "true" : "false")}},"messages":[{"role":"user","content":"{{text}}"}]}""",
                Encoding.UTF8,
                "application/json"),
        };
        if (clientKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", clientKey);
        }

        return request;
    }

    /// <summary>Sends a non-streamed chat request; returns the status, the <c>x-compat-cache</c> header (or null) and the body.</summary>
    public static async Task<(int Status, string? Cache, string Body)> ChatAsync(GatewayServer gateway, string model, string text, string? clientKey = "sk-client-one")
    {
        using var request = ChatRequest(model, text, clientKey);
        using var response = await gateway.Http.SendAsync(request);
        var cache = response.Headers.TryGetValues("x-compat-cache", out var values) ? values.Single() : null;
        return ((int)response.StatusCode, cache, await response.Content.ReadAsStringAsync());
    }

    public static async Task<JsonElement> GetJsonAsync(GatewayServer gateway, string path)
    {
        using var response = await gateway.Http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>The documented client key id: "key-" and the first 12 hex digits of the key's SHA-256.</summary>
    public static string KeyId(string key) => "key-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)))[..12];

    /// <summary>The assistant text of a chat completion body.</summary>
    public static string Content(string body) =>
        JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;

    public async ValueTask DisposeAsync()
    {
        foreach (var gateway in _gateways)
        {
            await gateway.DisposeAsync();
        }

        await Emulator.DisposeAsync();
    }
}
