using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace CompatAI.Tests.Lifecycle;

/// <summary>The catalog's model lifecycles applied to requests (issue 16).</summary>
public sealed class ModelLifecycleTests
{
    private static readonly string s_ok = Fixtures.Text("deepseek-reasoner-nonstream.json");

    /// <summary>The built-in catalog with the provider's documented URL moved to <paramref name="url"/>, so that the loopback server is "the provider's host".</summary>
    private static ProviderCatalog CatalogAt(string provider, Uri url) =>
        ProviderCatalog.Default.WithOverrides(new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>($"Catalog:{provider}:BaseUrl", url.AbsoluteUri)])
            .Build().GetSection("Catalog"));

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_retired_model_fails_before_any_request_naming_replacement_and_date(bool streaming)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "groq",
            Catalog = CatalogAt("groq", server.V1),
            ApiKey = ClientFactory.TestKey,
            Model = "llama-3.3-70b-versatile",
            Retry = new RetryOptions { MaxRetries = 0 },
        });

        var ex = streaming
            ? await Assert.ThrowsAsync<ModelRetiredException>(async () => await client.GetStreamingResponseAsync("hi").ToChatResponseAsync())
            : await Assert.ThrowsAsync<ModelRetiredException>(() => client.GetResponseAsync("hi"));

        Assert.Empty(server.Requests);
        Assert.Equal(ProviderErrorKind.NotFound, ex.Kind);
        Assert.Null(ex.StatusCode);
        Assert.Equal("groq", ex.ProviderName);
        Assert.Equal("llama-3.3-70b-versatile", ex.ModelId);
        Assert.Equal("openai/gpt-oss-120b", ex.Replacement);
        Assert.Equal(new DateOnly(2026, 8, 16), ex.Shutdown);
        Assert.Contains("2026-08-16", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'openai/gpt-oss-120b'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_model_chosen_per_request_is_checked_too_and_current_models_go_out()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok));
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "deepseek",
            Catalog = CatalogAt("deepseek", server.V1),
            ApiKey = ClientFactory.TestKey,
            Retry = new RetryOptions { MaxRetries = 0 },
        });

        var ex = await Assert.ThrowsAsync<ModelRetiredException>(() => client.GetResponseAsync("hi", new ChatOptions { ModelId = "deepseek-chat" }));
        Assert.Equal("deepseek-flash", ex.Replacement);
        Assert.Empty(server.Requests);

        await client.GetResponseAsync("hi");
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task At_another_host_the_request_goes_out_and_a_not_found_answer_says_the_model_is_retired()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1" });
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "groq",
            Endpoint = emulator.GetEndpoint("groq"),
            ApiKey = "k",
            Model = "llama-3.3-70b-versatile",
            Retry = new RetryOptions { MaxRetries = 0 },
        });

        // A proxy or mirror may still serve the name: the request is sent.
        var answer = await client.GetResponseAsync("hi");
        Assert.NotEmpty(answer.Text);

        // Once the provider answers 404, the error says why.
        emulator.EnqueueFault("groq", new EmulatorFault { StatusCode = 404, Times = 2 });
        var ex = await Assert.ThrowsAsync<ModelRetiredException>(() => client.GetResponseAsync("hi"));
        Assert.Equal(404, ex.StatusCode);
        Assert.Equal(ProviderErrorKind.NotFound, ex.Kind);
        Assert.IsAssignableFrom<ProviderException>(ex.InnerException);
        Assert.Contains("HTTP 404", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'openai/gpt-oss-120b'", ex.Message, StringComparison.Ordinal);

        var streamed = await Assert.ThrowsAsync<ModelRetiredException>(async () => await client.GetStreamingResponseAsync("hi").ToChatResponseAsync());
        Assert.Equal(404, streamed.StatusCode);
    }

    [Fact]
    public async Task A_not_found_for_a_current_model_stays_the_providers_own_error()
    {
        await using var emulator = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { Host = "127.0.0.1" });
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "groq", Endpoint = emulator.GetEndpoint("groq"), ApiKey = "k", Retry = new RetryOptions { MaxRetries = 0 } });
        emulator.EnqueueFault("groq", new EmulatorFault { StatusCode = 404, Times = 1 });

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.IsNotType<ModelRetiredException>(ex);
        Assert.Equal(ProviderErrorKind.NotFound, ex.Kind);
    }

    [Fact]
    public async Task A_deprecated_model_works_and_logs_one_warning()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(s_ok)).Enqueue(ScriptedResponse.Json(s_ok));
        var profile = new ProviderProfile
        {
            Name = "acme",
            BaseUrl = server.V1,
            Sources = ["test"],
            Models = [new KnownModel { Id = "old-1", Status = ModelStatus.Deprecated, Shutdown = new DateOnly(2099, 1, 31), Replacement = "new-2" }],
        };
        var logs = new CapturingLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "acme",
            Catalog = ProviderCatalog.Default.With(profile),
            ApiKey = ClientFactory.TestKey,
            Model = "old-1",
            Retry = new RetryOptions { MaxRetries = 0 },
            LoggerFactory = factory,
        });

        await client.GetResponseAsync("hi");
        await client.GetResponseAsync("hi again");

        Assert.Equal(2, server.Requests.Count);
        var warning = Assert.Single(logs.Entries, e => e.Level == LogLevel.Warning);
        Assert.Contains("'old-1'", warning.Message, StringComparison.Ordinal);
        Assert.Contains("2099-01-31", warning.Message, StringComparison.Ordinal);
        Assert.Contains("new-2", warning.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_deprecated_model_past_its_shutdown_that_answers_not_found_is_explained()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"error":{"message":"The model `old-1` does not exist","type":"invalid_request_error","code":"model_not_found"}}""", 404));
        var profile = new ProviderProfile
        {
            Name = "acme",
            BaseUrl = server.V1,
            Sources = ["test"],
            Models = [new KnownModel { Id = "old-1", Status = ModelStatus.Deprecated, Shutdown = new DateOnly(2020, 1, 31), Replacement = "new-2" }],
        };
        using var client = CompatChatClient.Create(new CompatChatClientOptions { Provider = "acme", Catalog = ProviderCatalog.Default.With(profile), ApiKey = ClientFactory.TestKey, Model = "old-1", Retry = new RetryOptions { MaxRetries = 0 } });

        var ex = await Assert.ThrowsAsync<ModelRetiredException>(() => client.GetResponseAsync("hi"));

        Assert.Equal("model_not_found", ex.ErrorCode);
        Assert.Contains("2020-01-31", ex.Message, StringComparison.Ordinal);
        Assert.Contains("'new-2'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Lifecycle_entries_load_from_catalog_json()
    {
        var catalog = ProviderCatalog.FromJson("""
            { "providers": [ { "name": "p", "baseUrl": "https://p.example/v1", "verified": "2026-11-02", "sources": ["test"],
              "models": [ { "id": "m-old", "status": "Retired", "shutdown": "2026-05-01", "replacement": "m-new" }, { "id": "m-new", "status": "Current" } ] } ] }
            """u8);

        var profile = catalog.Get("p");
        Assert.Equal(new DateOnly(2026, 11, 2), profile.Verified);
        Assert.Equal(ModelStatus.Retired, profile.FindModel("M-OLD")!.Status);
        Assert.Equal(new DateOnly(2026, 5, 1), profile.FindModel("m-old")!.Shutdown);
        Assert.Equal("m-new", profile.FindModel("m-old")!.Replacement);
        Assert.Null(profile.FindModel("other"));
    }

    private sealed class CapturingLoggerProvider : ILoggerProvider
    {
        public List<(LogLevel Level, string Message)> Entries { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (owner.Entries)
                {
                    owner.Entries.Add((logLevel, formatter(state, exception)));
                }
            }
        }
    }
}
