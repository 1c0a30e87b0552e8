using CompatAI.Emulator;
using CompatAI.Testing;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace CompatAI.StackExchangeRedis.Tests;

/// <summary>
/// Two "processes" (each its own <see cref="CompatRedisConnection"/>, <see cref="RedisRouteStateStore"/> and fallback
/// chain) share route state through a real redis-server; the providers are the emulator's personalities on loopback, so
/// "skipped" is checked on what the upstream received.
/// </summary>
public sealed class RedisRouteStateStoreTests : IAsyncLifetime
{
    private const string MistralModel = "mistral-small-latest";
    private const string MistralKey = "mistral/" + MistralModel;

    private RedisServer _redis = null!;
    private ProviderEmulator _emulator = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServer.StartAsync();
        _emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1" });
    }

    public async Task DisposeAsync()
    {
        await _emulator.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task A_retry_after_seen_by_one_process_makes_the_other_skip_that_provider_and_the_key_expires()
    {
        await using var a = await ProcessAsync();
        await using var b = await ProcessAsync();
        await WaitForSubscribersAsync(2);
        _emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(20)));

        var first = await a.Chain.GetResponseAsync("rate limited on a");
        Assert.Equal("openai", first.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(1, RequestsTo("mistral"));

        await WaitUntilAsync(() => b.Store.GetState(MistralKey).CooldownUntil is not null);
        var second = await b.Chain.GetResponseAsync("b has never seen mistral fail");

        Assert.Equal("openai", second.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(1, second.AdditionalProperties[FallbackChatClient.AttemptsKey]);
        Assert.Equal(1, RequestsTo("mistral"));
        var ttl = await a.Connection.Multiplexer.GetDatabase().KeyTimeToLiveAsync("compatai:route:cooldown:" + MistralKey);
        Assert.InRange(ttl!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task A_circuit_opened_in_one_process_is_skipped_by_the_other_and_after_the_break_one_process_probes()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var gate = new Gate();
        await using var a = await ProcessAsync(time, gate);
        await using var b = await ProcessAsync(time, gate);
        await WaitForSubscribersAsync(2);
        _emulator.EnqueueFault("mistral", new EmulatorFault { StatusCode = 503, Times = 2 });

        await a.Chain.GetResponseAsync("first failure");
        await a.Chain.GetResponseAsync("second failure");
        Assert.Equal(2, RequestsTo("mistral"));
        await WaitUntilAsync(() => b.Store.GetState(MistralKey).CircuitOpenUntil is not null);

        var skipped = await b.Chain.GetResponseAsync("b during the break");
        Assert.Equal("openai", skipped.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(2, RequestsTo("mistral"));

        // After the break a wins the Redis lease (SET NX) and is held at the gate: b is refused the lease and skips mistral.
        time.Advance(TimeSpan.FromSeconds(11));
        gate.Close();
        var probe = a.Chain.GetResponseAsync("a probes");
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(30));
        var whileProbing = await b.Chain.GetResponseAsync("b while a probes").WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal("openai", whileProbing.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(1, gate.HeldCalls);

        gate.Open();
        Assert.Equal("mistral", (await probe).AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(3, RequestsTo("mistral"));

        // The probe's success is published: b uses mistral again.
        await WaitUntilAsync(() => b.Store.GetState(MistralKey).CircuitOpenUntil is null);
        var after = await b.Chain.GetResponseAsync("b after the probe");
        Assert.Equal("mistral", after.AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(4, RequestsTo("mistral"));
    }

    [Fact]
    public async Task While_redis_is_down_requests_succeed_on_local_state_and_when_it_returns_what_was_missed_is_shared()
    {
        var logger = new CountingLogger<RedisRouteStateStore>();
        await using var a = await ProcessAsync(logger: logger);
        await using var b = await ProcessAsync();
        await WaitForSubscribersAsync(2);

        await WaitUntilAsync(() => a.Store.IsSharing && b.Store.IsSharing);
        await _redis.StopAsync();
        await WaitUntilAsync(() => !a.Connection.IsConnected && !b.Connection.IsConnected);
        Assert.False(a.Store.IsSharing);
        Assert.False(b.Store.IsSharing);

        // a's 429 cannot be shared: a honours it itself, b (which does not know) calls mistral, and every request succeeds.
        _emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(20)));
        Assert.Equal("openai", (await a.Chain.GetResponseAsync("429 during the outage")).AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal("openai", (await a.Chain.GetResponseAsync("a again")).AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal("mistral", (await b.Chain.GetResponseAsync("b during the outage")).AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(2, RequestsTo("mistral"));
        Assert.Equal(1, logger.Warnings);

        await _redis.StartAgainAsync();
        await WaitUntilAsync(() => a.Connection.IsConnected && b.Connection.IsConnected);
        await WaitForSubscribersAsync(2);

        // Resynchronised: a writes back the cooldown it could not share (still in force), so b now skips mistral too.
        await WaitUntilAsync(() => b.Store.GetState(MistralKey).CooldownUntil is not null);
        Assert.Equal("openai", (await b.Chain.GetResponseAsync("b after the outage")).AdditionalProperties![FallbackChatClient.ProviderKey]);
        Assert.Equal(2, RequestsTo("mistral"));

        // Sharing again only once each subscription delivered the process's own echo and the state was read back.
        await WaitUntilAsync(() => a.Store.IsSharing && b.Store.IsSharing);

        // And what either reports from now on reaches the other again.
        var now = TimeProvider.System.GetUtcNow();
        await b.Store.ReportCooldownAsync("openai/gpt-4o-mini", now.AddSeconds(30), now);
        await WaitUntilAsync(() => a.Store.GetState("openai/gpt-4o-mini").CooldownUntil is not null);
    }

    [Fact]
    public async Task A_timeout_while_the_connection_stays_up_goes_local_and_resynchronizes_once_redis_answers_again()
    {
        await using var a = await ProcessAsync();
        await using var b = await ProcessAsync();
        await WaitForSubscribersAsync(2);
        await WaitUntilAsync(() => a.Store.IsSharing && b.Store.IsSharing);

        // Redis holds every client's commands (connections stay open) for longer than the 250 ms operation timeout.
        using (var admin = await ConnectionMultiplexer.ConnectAsync(_redis.Configuration))
        {
            await admin.GetServer(admin.GetEndPoints()[0]).ExecuteAsync("CLIENT", "PAUSE", "1500", "WRITE");
        }

        var now = TimeProvider.System.GetUtcNow();
        await a.Store.ReportCooldownAsync("openai/gpt-4o-mini", now.AddSeconds(60), now);
        Assert.False(a.Store.IsSharing);
        Assert.Null(b.Store.GetState("openai/gpt-4o-mini").CooldownUntil);

        // No reconnection is needed: once Redis answers, a shares again and writes back what it could not share.
        await WaitUntilAsync(() => a.Store.IsSharing);
        await WaitUntilAsync(() => b.Store.GetState("openai/gpt-4o-mini").CooldownUntil is not null);
    }

    [Fact]
    public async Task A_process_that_connects_later_reads_the_state_already_in_redis()
    {
        await using var a = await ProcessAsync();
        var now = TimeProvider.System.GetUtcNow();
        await a.Store.ReportCooldownAsync(MistralKey, now.AddSeconds(30), now);
        await a.Store.ReportCircuitOpenedAsync("openai/gpt-4o-mini", now.AddSeconds(40), now);
        await a.Store.ReportLatencyAsync(MistralKey, TimeSpan.FromMilliseconds(250), now, TimeSpan.FromSeconds(30));

        await using var late = await ProcessAsync();
        var mistral = late.Store.GetState(MistralKey);
        Assert.Equal(now.AddSeconds(30).ToUnixTimeMilliseconds(), mistral.CooldownUntil!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(250, mistral.Latency!.Value.TotalMilliseconds, precision: 3);
        Assert.Equal(now.ToUnixTimeMilliseconds(), mistral.LatencyObservedAt!.Value.ToUnixTimeMilliseconds());
        Assert.Equal(now.AddSeconds(40).ToUnixTimeMilliseconds(), late.Store.GetState("openai/gpt-4o-mini").CircuitOpenUntil!.Value.ToUnixTimeMilliseconds());
    }

    [Fact]
    public async Task Latency_reports_of_two_processes_build_one_shared_decaying_average()
    {
        await using var a = await ProcessAsync();
        await using var b = await ProcessAsync();
        await WaitForSubscribersAsync(2);
        var now = TimeProvider.System.GetUtcNow();
        var halfLife = TimeSpan.FromSeconds(30);

        await a.Store.ReportLatencyAsync(MistralKey, TimeSpan.FromMilliseconds(100), now, halfLife);
        await b.Store.ReportLatencyAsync(MistralKey, TimeSpan.FromMilliseconds(300), now + halfLife, halfLife);

        // The second observation, one half-life later, counts half: (100 + 300) / 2, seen by both.
        await WaitUntilAsync(() => a.Store.GetState(MistralKey).Latency is { TotalMilliseconds: > 199.9 and < 200.1 });
        Assert.Equal(200, b.Store.GetState(MistralKey).Latency!.Value.TotalMilliseconds, precision: 3);
    }

    [Fact]
    public async Task The_probe_lease_goes_to_one_process_at_a_time()
    {
        await using var a = await ProcessAsync();
        await using var b = await ProcessAsync();
        var now = TimeProvider.System.GetUtcNow();

        Assert.True(await a.Store.TryAcquireProbeAsync(MistralKey, TimeSpan.FromSeconds(30), now));
        Assert.False(await b.Store.TryAcquireProbeAsync(MistralKey, TimeSpan.FromSeconds(30), now));

        // The probe's outcome (a failure: open again) releases the lease for the next break.
        await a.Store.ReportCircuitOpenedAsync(MistralKey, now.AddSeconds(10), now);
        Assert.True(await b.Store.TryAcquireProbeAsync(MistralKey, TimeSpan.FromSeconds(30), now.AddSeconds(11)));
    }

    [Fact]
    public async Task AddCompatRedisRouteState_registers_the_store_and_needs_AddCompatRedis_first()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new ServiceCollection().AddCompatRedisRouteState());
        Assert.Contains("AddCompatRedis", error.Message, StringComparison.Ordinal);

        var services = new ServiceCollection().AddLogging().AddCompatRedis(o => o.Configuration = _redis.Configuration).AddCompatRedisRouteState();
        await using var provider = services.BuildServiceProvider();
        Assert.Same(provider.GetRequiredService<RedisRouteStateStore>(), provider.GetRequiredService<IRouteStateStore>());
    }

    private int RequestsTo(string personality) => _emulator.Requests.Count(r => r.Personality == personality);

    private async Task<TestProcess> ProcessAsync(TimeProvider? time = null, Gate? gate = null, ILogger<RedisRouteStateStore>? logger = null)
    {
        var connection = new CompatRedisConnection(Microsoft.Extensions.Options.Options.Create(new CompatRedisOptions { Configuration = _redis.Configuration }));
        var store = new RedisRouteStateStore(connection, logger);
        await store.FirstSynchronization.WaitAsync(TimeSpan.FromSeconds(10));
        IChatClient mistral = Pipeline("mistral", MistralModel);
        var chain = new FallbackChatClient(
            [gate is null ? mistral : new GatedChatClient(mistral, gate), Pipeline("openai", "gpt-4o-mini")],
            new FallbackOptions
            {
                StateStore = store,
                TimeProvider = time ?? TimeProvider.System,
                CircuitBreaker = { MinimumThroughput = 2, FailureRatio = 0.5, BreakDuration = TimeSpan.FromSeconds(10) },
            });
        return new TestProcess(connection, store, chain);
    }

    private IChatClient Pipeline(string personality, string model) => CompatChatClient.Create(new CompatChatClientOptions
    {
        Provider = personality,
        Endpoint = _emulator.GetEndpoint(personality),
        ApiKey = "emulator-key",
        Model = model,
        Retry = { MaxRetries = 0 },
    });

    /// <summary>Waits until the real server counts <paramref name="count"/> subscribers on the route-state channel.</summary>
    private async Task WaitForSubscribersAsync(int count)
    {
        using var probe = new CompatRedisConnection(Microsoft.Extensions.Options.Options.Create(new CompatRedisOptions { Configuration = _redis.Configuration }));
        var server = probe.Multiplexer.GetServer(probe.Multiplexer.GetEndPoints()[0]);
        await WaitUntilAsync(async () => probe.IsConnected && await server.SubscriptionSubscriberCountAsync(RedisChannel.Literal("compatai:route-state")) == count);
    }

    private static Task WaitUntilAsync(Func<bool> condition) => WaitUntilAsync(() => Task.FromResult(condition()));

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 400; i++)
        {
            if (await condition())
            {
                return;
            }

            await Task.Delay(25);
        }

        Assert.Fail("The condition did not become true within 10 seconds.");
    }

    private sealed record TestProcess(CompatRedisConnection Connection, RedisRouteStateStore Store, FallbackChatClient Chain) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            Chain.Dispose();
            Store.Dispose();
            Connection.Dispose();
            return default;
        }
    }

    /// <summary>Holds calls while closed (counting them), so a probe can be kept in flight while the other process decides.</summary>
    private sealed class Gate
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private TaskCompletionSource _open = CreateOpen();
        private int _held;

        public Task Entered => _entered.Task;

        public int HeldCalls => Volatile.Read(ref _held);

        public Task WhenOpen
        {
            get
            {
                var open = _open.Task;
                if (!open.IsCompleted)
                {
                    Interlocked.Increment(ref _held);
                    _entered.TrySetResult();
                }

                return open;
            }
        }

        public void Open() => _open.TrySetResult();

        public void Close() => _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private static TaskCompletionSource CreateOpen()
        {
            var open = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            open.SetResult();
            return open;
        }
    }

    private sealed class GatedChatClient(IChatClient inner, Gate gate) : DelegatingChatClient(inner)
    {
        public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            await gate.WhenOpen.WaitAsync(cancellationToken);
            return await base.GetResponseAsync(messages, options, cancellationToken);
        }
    }

    /// <summary>Counts warnings (the store's outage message).</summary>
    private sealed class CountingLogger<T> : ILogger<T>
    {
        private int _warnings;

        public int Warnings => Volatile.Read(ref _warnings);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
            {
                Interlocked.Increment(ref _warnings);
            }
        }
    }
}
