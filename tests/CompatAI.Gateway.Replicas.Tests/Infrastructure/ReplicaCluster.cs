using System.Net;
using System.Text;
using System.Text.Json;
using CompatAI.Emulator;
using CompatAI.Testing;
using StackExchange.Redis;

namespace CompatAI.Gateway.Replicas.Tests.Infrastructure;

/// <summary>
/// One real <c>redis-server</c>, the provider emulator (in this process, so tests can inject faults and count what
/// reached each provider) and <see cref="ReplicaCount"/> gateway replicas as separate processes sharing that Redis,
/// driven round-robin. A subclass says how the replicas are configured; xUnit shares one cluster per test class.
/// </summary>
public abstract class ReplicaCluster : IAsyncLifetime
{
    /// <summary>The provider key every configured provider sends; the emulator requires it.</summary>
    protected const string ProviderKey = "sk-replicas-emulator";

    /// <summary>How many replicas run.</summary>
    public const int ReplicaCount = 3;

    private static readonly TimeSpan StartupDeadline = TimeSpan.FromSeconds(90);

    private readonly List<GatewayReplica> _replicas = [];
    private int _next = -1;

    /// <summary>Gets the Redis server the replicas share.</summary>
    public RedisServer Redis { get; private set; } = null!;

    /// <summary>Gets the key prefix the replicas use in Redis (<c>CompatAI:Redis:KeyPrefix</c>), unique per cluster.</summary>
    public string KeyPrefix { get; } = $"replicas-{Guid.NewGuid():N}:";

    /// <summary>Gets the provider emulator all providers point at (one personality per provider).</summary>
    public ProviderEmulator Emulator { get; private set; } = null!;

    /// <summary>Gets the running replicas.</summary>
    internal IReadOnlyList<GatewayReplica> Replicas => _replicas;

    /// <summary>Gets the next replica in round-robin order.</summary>
    internal GatewayReplica Next() => _replicas[(int)((uint)Interlocked.Increment(ref _next) % (uint)_replicas.Count)];

    /// <inheritdoc />
    public async Task InitializeAsync()
    {
        Redis = await RedisServer.StartAsync();
        Emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequiredApiKey = ProviderKey });
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["CompatAI:Redis:Configuration"] = Redis.Configuration,
            ["CompatAI:Redis:KeyPrefix"] = KeyPrefix,
            ["CompatAI:Gateway:EnableEcho"] = "false",
        };
        Configure(settings);
        var environment = settings.ToDictionary(s => s.Key.Replace(":", "__", StringComparison.Ordinal), s => s.Value, StringComparer.Ordinal);
        for (var i = 1; i <= ReplicaCount; i++)
        {
            _replicas.Add(GatewayReplica.Start($"replica-{i}", environment));
        }

        await Task.WhenAll(_replicas.Select(r => r.WaitUntilReadyAsync(StartupDeadline)));
    }

    /// <inheritdoc />
    public async Task DisposeAsync()
    {
        foreach (var replica in _replicas)
        {
            await replica.DisposeAsync();
        }

        if (Emulator is not null)
        {
            await Emulator.DisposeAsync();
        }

        if (Redis is not null)
        {
            await Redis.DisposeAsync();
        }
    }

    /// <summary>Adds the replicas' configuration (as configuration keys; they reach the processes as environment variables).</summary>
    protected abstract void Configure(IDictionary<string, string> settings);

    /// <summary>Adds a provider named <paramref name="name"/> served by the emulator's personality of the same kind.</summary>
    protected void AddProvider(IDictionary<string, string> settings, string name, string personality, string model)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var prefix = $"CompatAI:Providers:{name}:";
        settings[prefix + "Provider"] = personality;
        settings[prefix + "Endpoint"] = Emulator.GetEndpoint(personality).ToString();
        settings[prefix + "ApiKey"] = ProviderKey;
        settings[prefix + "Model"] = model;
        settings[prefix + "Retry:MaxRetries"] = "0";
        settings[prefix + "ListUpstreamModels"] = "false";
    }

    /// <summary>How many chat requests reached the emulator's <paramref name="personality"/> so far.</summary>
    public int ChatRequestsTo(string personality) =>
        Emulator.Requests.Count(r => string.Equals(r.Personality, personality, StringComparison.Ordinal)
            && r.Path.Contains("/chat/completions", StringComparison.Ordinal));

    /// <summary>Posts a chat completion with <paramref name="model"/> and one user message to <paramref name="replica"/>.</summary>
    internal static async Task<HttpResponseMessage> PostChatAsync(GatewayReplica replica, string model, string text)
    {
        var body = JsonSerializer.Serialize(new { model, messages = new[] { new { role = "user", content = text } } });
        using var content = new StringContent(body, Encoding.UTF8, "application/json");
        return await replica.Http.PostAsync("v1/chat/completions", content);
    }

    /// <summary>
    /// Reads a chat response that must be 200 and returns the provider that served it (<c>x-compat-provider</c>) and
    /// its answer text; otherwise fails with the body and every replica's output.
    /// </summary>
    internal async Task<(string ServedBy, string Text)> ReadOkAsync(GatewayReplica replica, HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            Assert.Fail($"{replica.Name} answered {(int)response.StatusCode}: {body}\n{Diagnostics()}");
        }

        var servedBy = response.Headers.TryGetValues("x-compat-provider", out var values) ? string.Join(",", values) : "(no x-compat-provider header)";
        var text = JsonDocument.Parse(body).RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString() ?? "";
        return (servedBy, text);
    }

    /// <summary>Gets one header's value, or an empty string.</summary>
    internal static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : "";

    /// <summary>
    /// Waits (bounded) until a key matching <paramref name="pattern"/> (after the prefix) exists in Redis: state a replica
    /// shares in the background after answering, such as a Retry-After cooldown, has then reached Redis and been published
    /// to the other replicas in the same step.
    /// </summary>
    public Task WaitForRedisKeyAsync(string pattern, TimeSpan deadline) => WaitForRedisKeysAsync(pattern, 1, deadline);

    /// <summary>Counts the keys matching <paramref name="pattern"/> (after the prefix) in Redis.</summary>
    public async Task<int> CountRedisKeysAsync(string pattern)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Redis.Configuration);
        return redis.GetServer(redis.GetEndPoints()[0]).Keys(pattern: KeyPrefix + pattern).Count();
    }

    /// <summary>
    /// Waits (bounded) until at least <paramref name="count"/> keys match <paramref name="pattern"/> (after the prefix):
    /// for example a response-cache entry a replica stores write-behind, sent before its answer but confirmed after it.
    /// </summary>
    public async Task WaitForRedisKeysAsync(string pattern, int count, TimeSpan deadline)
    {
        await using var redis = await ConnectionMultiplexer.ConnectAsync(Redis.Configuration);
        var server = redis.GetServer(redis.GetEndPoints()[0]);
        var stopwatch = System.Diagnostics.Stopwatch.StartNew();
        while (server.Keys(pattern: KeyPrefix + pattern).Count() < count)
        {
            if (stopwatch.Elapsed > deadline)
            {
                Assert.Fail($"fewer than {count} Redis keys matched '{KeyPrefix}{pattern}' within {deadline.TotalSeconds:0} s.\n{Diagnostics()}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Every replica's recent output and the emulator's request count per personality, for failure messages.</summary>
    public string Diagnostics()
    {
        var counts = string.Join(", ", Emulator.Requests.GroupBy(r => r.Personality, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));
        return $"emulator requests: {counts}; redis running: {Redis.IsRunning}\n" + string.Join("\n", _replicas.Select(r => r.Output()));
    }
}
