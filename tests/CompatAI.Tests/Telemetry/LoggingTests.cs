using System.Collections.Concurrent;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI.Tests.Telemetry;

/// <summary>MEAI's <c>UseLogging()</c> over CompatAI's client, and CompatAI's own logging, read by a capturing logger provider.</summary>
public sealed class LoggingTests(EmulatorFixture fixture) : IClassFixture<EmulatorFixture>
{
    private const string ApiKey = "sk-logging-secret-0123456789abcdefghij";

    private sealed record Entry(string Category, LogLevel Level, string Message);

    private sealed class CapturingProvider : ILoggerProvider
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingProvider owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception) + (exception is null ? string.Empty : "\n" + exception)));
        }
    }

    private async Task<(List<Entry> Entries, string Prompt, ChatResponse Response)> RunAsync(LogLevel minimum, bool streaming)
    {
        var provider = new CapturingProvider();
        await using var services = new ServiceCollection()
            .AddLogging(b => b.SetMinimumLevel(minimum).AddProvider(provider))
            .BuildServiceProvider();
        using var client = CompatChatClient.CreateBuilder(new CompatChatClientOptions
        {
            Provider = "mistral",
            Endpoint = fixture.Emulator.GetEndpoint("mistral"),
            ApiKey = ApiKey,
            Model = "mistral-small-latest",
            Retry = { MaxRetries = 0 },
        }).UseLogging().Build(services);
        var prompt = "logging prompt " + Guid.NewGuid().ToString("N");
        var options = new ChatOptions { Seed = 42 }; // Mistral takes random_seed: CompatAI's sanitizer logs the rename
        var response = streaming
            ? await client.GetStreamingResponseAsync(prompt, options).ToChatResponseAsync()
            : await client.GetResponseAsync(prompt, options);
        return ([.. provider.Entries], prompt, response);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task At_Trace_UseLogging_logs_the_exchange_and_CompatAI_logs_its_change_without_the_key(bool streaming)
    {
        var (entries, prompt, response) = await RunAsync(LogLevel.Trace, streaming);

        Assert.Contains(prompt, response.Text, StringComparison.Ordinal);
        var meai = entries.Where(e => e.Category == typeof(LoggingChatClient).FullName).ToList();
        Assert.Contains(meai, e => e.Level == LogLevel.Trace && e.Message.Contains(prompt, StringComparison.Ordinal)); // MEAI's sensitive level
        var compat = Assert.Single(entries, e => e.Category == typeof(ParameterSanitizingChatClient).FullName);
        Assert.Equal(LogLevel.Debug, compat.Level);
        Assert.Contains("'seed'", compat.Message, StringComparison.Ordinal);
        Assert.Contains("'mistral'", compat.Message, StringComparison.Ordinal);
        Assert.Contains("random_seed", compat.Message, StringComparison.Ordinal);

        Assert.DoesNotContain(entries, e => e.Message.Contains(ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Level > LogLevel.Trace && e.Message.Contains(prompt, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Level > LogLevel.Trace && e.Message.Contains(response.Text, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task At_Debug_UseLogging_logs_calls_without_content_and_CompatAI_logs_its_change(bool streaming)
    {
        var (entries, prompt, response) = await RunAsync(LogLevel.Debug, streaming);

        Assert.Contains(prompt, response.Text, StringComparison.Ordinal);
        Assert.Contains(entries, e => e.Category == typeof(LoggingChatClient).FullName && e.Level == LogLevel.Debug);
        var compat = Assert.Single(entries, e => e.Category == typeof(ParameterSanitizingChatClient).FullName);
        Assert.Contains("'seed'", compat.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(entries, e => e.Level < LogLevel.Debug);
        Assert.DoesNotContain(entries, e => e.Message.Contains(ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Message.Contains(prompt, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task At_Information_nothing_carries_the_key_or_message_content(bool streaming)
    {
        var (entries, prompt, response) = await RunAsync(LogLevel.Information, streaming);

        Assert.Contains(prompt, response.Text, StringComparison.Ordinal);
        Assert.All(entries, e => Assert.True(e.Level >= LogLevel.Information, $"{e.Category} logged at {e.Level}"));
        Assert.DoesNotContain(entries, e => e.Message.Contains(ApiKey, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Message.Contains(prompt, StringComparison.Ordinal));
        Assert.DoesNotContain(entries, e => e.Category == typeof(ParameterSanitizingChatClient).FullName);
    }
}
