using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace CompatAI.Emulator;

/// <summary>
/// An offline OpenAI Chat Completions provider emulator: a real Kestrel server on loopback that answers
/// <c>/{personality}/v1/chat/completions</c> and <c>/{personality}/v1/models</c> with the wire shapes, quirks and error
/// bodies of real providers, deterministic answers, injectable faults and a log of every request received.
/// </summary>
public sealed class ProviderEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping;
    private readonly PersonalityCatalog _catalog;
    private readonly FaultQueue _faults;
    private readonly RequestLog _requests;
    private int _disposed;

    private ProviderEmulator(WebApplication app, CancellationTokenSource stopping, PersonalityCatalog catalog, FaultQueue faults, RequestLog requests, Uri baseUrl)
    {
        _app = app;
        _stopping = stopping;
        _catalog = catalog;
        _faults = faults;
        _requests = requests;
        BaseUrl = baseUrl;
    }

    /// <summary>Root URL of the server, for example <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; }

    /// <summary>Names of the emulated personalities (path segments), for example <c>openai</c>, <c>groq</c>.</summary>
    public IReadOnlyList<string> Personalities => _catalog.Names;

    /// <summary>Every request received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => _requests.Snapshot();

    /// <summary>Starts an emulator (by default on <c>127.0.0.1</c> with an ephemeral port).</summary>
    /// <param name="options">Listening and behaviour options; defaults when null.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running emulator; dispose it to stop the server.</returns>
    public static Task<ProviderEmulator> StartAsync(ProviderEmulatorOptions? options = null, CancellationToken cancellationToken = default) =>
        StartAsync(options, loggerFactory: null, cancellationToken);

    internal static async Task<ProviderEmulator> StartAsync(ProviderEmulatorOptions? options, ILoggerFactory? loggerFactory, CancellationToken cancellationToken)
    {
        options ??= new ProviderEmulatorOptions();
        if (options.Port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Port, "ProviderEmulatorOptions.Port must be between 0 and 65535.");
        }

        if (options.StreamChunkDelay < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StreamChunkDelay, "ProviderEmulatorOptions.StreamChunkDelay must not be negative.");
        }

        if (options.RequiredApiKeyHeader is { Length: > 0 } header
            && !new[] { "authorization", "x-api-key", "api-key" }.Contains(header, StringComparer.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"ProviderEmulatorOptions.RequiredApiKeyHeader '{header}' is not Authorization, x-api-key or api-key.", nameof(options));
        }

        var address = ResolveHost(options.Host);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(ProviderEmulator).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, options.Port);
        });
        builder.Services.AddLogging();
        if (loggerFactory is not null)
        {
            builder.Services.AddSingleton(loggerFactory);
        }

        var app = builder.Build();
        var stopping = new CancellationTokenSource();
        var catalog = new PersonalityCatalog();
        var faults = new FaultQueue();
        var requests = new RequestLog();
        var logger = loggerFactory?.CreateLogger<ProviderEmulator>() ?? (ILogger)NullLogger.Instance;
        var handler = new EmulatorRequestHandler(catalog, faults, requests, options, logger, stopping.Token);
        app.Run(context => handler.HandleAsync(context));

        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            stopping.Dispose();
            throw;
        }

        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
                    ?? throw new InvalidOperationException("Kestrel did not report a listening address.");
        var baseUrl = new Uri(bound.TrimEnd('/') + "/");
        EmulatorLog.Listening(logger, baseUrl);
        return new ProviderEmulator(app, stopping, catalog, faults, requests, baseUrl);
    }

    private static IPAddress ResolveHost(string host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            throw new ArgumentException("ProviderEmulatorOptions.Host must not be empty.", nameof(host));
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return IPAddress.Loopback;
        }

        return IPAddress.TryParse(host, out var address)
            ? address
            : throw new ArgumentException($"ProviderEmulatorOptions.Host '{host}' is not an IP address or 'localhost'.", nameof(host));
    }

    /// <summary>The OpenAI-compatible base URL of a personality: <c>{BaseUrl}{personality}/v1/</c>.</summary>
    /// <param name="personality">A name from <see cref="Personalities"/>.</param>
    /// <returns>The endpoint URL, ending with a slash.</returns>
    public Uri GetEndpoint(string personality)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personality);
        var known = _catalog.Find(personality)
                    ?? throw new ArgumentException($"Unknown emulator personality '{personality}'. Known: {string.Join(", ", _catalog.Names)}.", nameof(personality));
        return new Uri(BaseUrl, known.Name + "/v1/");
    }

    /// <summary>Queues a fault for the next request(s) to <paramref name="personality"/> (<c>"*"</c> = any personality).</summary>
    /// <param name="personality">A name from <see cref="Personalities"/> or <c>"*"</c>.</param>
    /// <param name="fault">The fault; applies to <see cref="EmulatorFault.Times"/> consecutive requests.</param>
    public void EnqueueFault(string personality, EmulatorFault fault)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personality);
        ArgumentNullException.ThrowIfNull(fault);
        if (fault.Times < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault.Times, "EmulatorFault.Times must be at least 1.");
        }

        if (fault.AfterChunks < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fault), fault.AfterChunks, "EmulatorFault.AfterChunks must not be negative.");
        }

        var name = personality == FaultQueue.AnyPersonality
            ? personality
            : _catalog.Find(personality)?.Name
              ?? throw new ArgumentException($"Unknown emulator personality '{personality}'. Known: {string.Join(", ", _catalog.Names)}, or \"*\".", nameof(personality));
        _faults.Enqueue(name, fault);
    }

    /// <summary>Forgets all recorded requests.</summary>
    public void ClearRequests() => _requests.Clear();

    /// <summary>Stops the server; hanging requests are released.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }

        await _app.DisposeAsync().ConfigureAwait(false);
        _stopping.Dispose();
    }
}
