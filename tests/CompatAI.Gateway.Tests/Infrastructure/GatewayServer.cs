using CompatAI.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>The real gateway on Kestrel, on a free loopback port, with captured logs.</summary>
internal sealed class GatewayServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private GatewayServer(WebApplication app, Uri baseAddress, CapturingLoggerProvider logs)
    {
        _app = app;
        BaseAddress = baseAddress;
        Logs = logs;
        Http = new HttpClient { BaseAddress = baseAddress };
    }

    public Uri BaseAddress { get; }

    /// <summary>The OpenAI SDK's base URL: <c>http://127.0.0.1:PORT/v1</c>.</summary>
    public Uri V1 => new(BaseAddress, "v1");

    public HttpClient Http { get; }

    public CapturingLoggerProvider Logs { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<GatewayServer> StartAsync(
        IDictionary<string, string?>? configuration = null,
        Action<CompatGatewayBuilder>? configure = null,
        Action<IServiceCollection>? services = null,
        bool management = false,
        Action<WebApplication>? configureApp = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(configuration ?? new Dictionary<string, string?>());
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var logs = new CapturingLoggerProvider();
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddProvider(logs);
        var gateway = builder.Services.AddCompatGateway(builder.Configuration);
        configure?.Invoke(gateway);
        services?.Invoke(builder.Services);
        if (management)
        {
            builder.Services.AddCompatGatewayManagement(builder.Configuration);
        }

        var app = builder.Build();
        configureApp?.Invoke(app);
        app.UseRateLimiter();
        app.MapCompatGateway();
        if (management)
        {
            app.MapCompatGatewayManagement();
        }

        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new GatewayServer(app, new Uri(address.TrimEnd('/') + "/"), logs);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
