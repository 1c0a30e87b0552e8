using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI.Gateway.Tests.Infrastructure;

/// <summary>A tiny HTTP server on loopback that records every request's headers and answers with a handler.</summary>
internal sealed class LoopbackUpstream : IAsyncDisposable
{
    private readonly WebApplication _app;

    private LoopbackUpstream(WebApplication app, Uri baseAddress, ConcurrentQueue<(string Path, Dictionary<string, string> Headers)> requests)
    {
        _app = app;
        BaseAddress = baseAddress;
        Requests = requests;
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<(string Path, Dictionary<string, string> Headers)> Requests { get; }

    public static async Task<LoopbackUpstream> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var requests = new ConcurrentQueue<(string, Dictionary<string, string>)>();
        app.Run(async context =>
        {
            requests.Enqueue((context.Request.Path.Value ?? string.Empty,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            await handler(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackUpstream(app, new Uri(address.TrimEnd('/') + "/"), requests);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
