using System.Text;
using CompatAI.Emulator;
using CompatAI.Gateway.Tests.Infrastructure;

namespace CompatAI.Gateway.Tests.Management;

/// <summary>
/// A gateway with the management API over two emulator-backed providers: <c>alpha</c> (the emulator's groq
/// personality) and <c>beta</c> (its openrouter personality, which reports a cost of 0.000001 USD per token in
/// <c>usage.cost</c>), chained as <c>CompatAI:Fallback</c> [alpha, beta] with a breaker that opens after 4 failed calls and
/// stays open for 10 minutes.
/// </summary>
internal sealed class ManagementSetup : IAsyncDisposable
{
    public const string EmulatorKey = "sk-emulator-mgmt-5d1e";
    public const string AlphaModel = "llama-3.3-70b-versatile";
    public const string BetaModel = "openai/gpt-4o-mini";

    private ManagementSetup(ProviderEmulator emulator, GatewayServer server)
    {
        Emulator = emulator;
        Server = server;
    }

    public ProviderEmulator Emulator { get; }

    public GatewayServer Server { get; }

    public HttpClient Http => Server.Http;

    public static async Task<ManagementSetup> StartAsync(
        IDictionary<string, string?>? extra = null,
        Action<Microsoft.AspNetCore.Builder.WebApplication>? configureApp = null)
    {
        var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = EmulatorKey });
        var config = new Dictionary<string, string?>
        {
            ["CompatAI:Fallback:0"] = "alpha",
            ["CompatAI:Fallback:1"] = "beta",
            ["CompatAI:FallbackOptions:CircuitBreaker:MinimumThroughput"] = "4",
            ["CompatAI:FallbackOptions:CircuitBreaker:SamplingDuration"] = "00:10:00",
            ["CompatAI:FallbackOptions:CircuitBreaker:BreakDuration"] = "00:10:00",
        };
        void Provider(string name, string personality, string model)
        {
            config[$"CompatAI:Providers:{name}:Provider"] = personality;
            config[$"CompatAI:Providers:{name}:Endpoint"] = emulator.GetEndpoint(personality).ToString();
            config[$"CompatAI:Providers:{name}:Model"] = model;
            config[$"CompatAI:Providers:{name}:ApiKey"] = EmulatorKey;
            config[$"CompatAI:Providers:{name}:Retry:MaxRetries"] = "0";
        }

        Provider("alpha", "groq", AlphaModel);
        Provider("beta", "openrouter", BetaModel);
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        try
        {
            var server = await GatewayServer.StartAsync(config, management: true, configureApp: configureApp);
            return new ManagementSetup(emulator, server);
        }
        catch
        {
            await emulator.DisposeAsync();
            throw;
        }
    }

    /// <summary>Sends a chat request through the gateway and returns the status code and body.</summary>
    public async Task<(int Status, string Body)> ChatAsync(string model, string text, string? clientKey = "sk-client-one")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent($$"""{"model":"{{model}}","messages":[{"role":"user","content":"{{text}}"}]}""", Encoding.UTF8, "application/json"),
        };
        if (clientKey is not null)
        {
            request.Headers.Authorization = new("Bearer", clientKey);
        }

        using var response = await Http.SendAsync(request);
        return ((int)response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    /// <summary>Makes the next <paramref name="times"/> requests to alpha's personality fail with HTTP 500.</summary>
    public void FailAlpha(int times)
    {
        var fault = EmulatorFault.WithStatus(500);
        fault.Times = times;
        Emulator.EnqueueFault("groq", fault);
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Emulator.DisposeAsync();
    }
}
