using System.Collections.Concurrent;
using CompatAI.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI.Reliability.Infrastructure;

/// <summary>The real gateway on Kestrel on a free loopback port, logging everything at Trace into memory.</summary>
internal sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayHost(WebApplication app, Uri baseAddress, LogSink logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        Logs = logs;
        Http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(2) };
    }

    public Uri BaseAddress { get; }

    public HttpClient Http { get; }

    public LogSink Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>A gateway whose provider <c>flaky</c> is an OpenAI-compatible endpoint at <paramref name="upstream"/>.</summary>
    public static Task<GatewayHost> ForUpstreamAsync(Uri upstream, string provider = "openai", params (string Key, string Value)[] extra) =>
        StartAsync(UpstreamConfiguration(upstream, provider, extra));

    /// <summary>The configuration of <see cref="ForUpstreamAsync"/>.</summary>
    public static Dictionary<string, string?> UpstreamConfiguration(Uri upstream, string provider = "openai", params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string?>
        {
            ["CompatAI:Providers:flaky:Provider"] = provider,
            ["CompatAI:Providers:flaky:Endpoint"] = upstream.ToString(),
            ["CompatAI:Providers:flaky:ApiKey"] = Faults.SentinelKey,
            ["CompatAI:Providers:flaky:Model"] = "m",
            ["CompatAI:Providers:flaky:ListUpstreamModels"] = "false",
            ["CompatAI:Providers:flaky:Timeout"] = "00:00:01",
            ["CompatAI:Providers:flaky:Retry:MaxRetries"] = "0",
        };
        foreach (var (key, value) in extra)
        {
            config[key] = value;
        }

        return config;
    }

    /// <summary>Starts the gateway; <paramref name="captureLogs"/> keeps every log line in memory (off for long runs).</summary>
    public static async Task<GatewayHost> StartAsync(IDictionary<string, string?> configuration, bool captureLogs = true)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new LogSink();
        builder.Logging.ClearProviders();
        if (captureLogs)
        {
            builder.Logging.SetMinimumLevel(LogLevel.Trace);
            builder.Logging.AddProvider(logs);
        }

        builder.Services.AddCompatGateway(builder.Configuration);
        var app = builder.Build();
        app.UseRateLimiter();
        app.MapCompatGateway();
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayHost(app, new Uri(address.TrimEnd('/') + "/"), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Every log line (message and exception) written at any level.</summary>
internal sealed class LogSink : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IReadOnlyCollection<string> Lines => _lines;

    public ILogger CreateLogger(string categoryName) => new Logger(categoryName, _lines);

    public void Dispose()
    {
    }

    private sealed class Logger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            lines.Enqueue($"{category} scope: {state}");
            return null;
        }

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {exception}");
    }
}
