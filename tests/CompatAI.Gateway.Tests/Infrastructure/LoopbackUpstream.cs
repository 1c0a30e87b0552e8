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

    private LoopbackUpstream(WebApplication app, Uri baseAddress, ConcurrentQueue<(string Path, Dictionary<string, string> Headers)> requests, ConcurrentQueue<string> bodies)
    {
        _app = app;
        BaseAddress = baseAddress;
        Requests = requests;
        Bodies = bodies;
    }

    public Uri BaseAddress { get; }

    public ConcurrentQueue<(string Path, Dictionary<string, string> Headers)> Requests { get; }

    /// <summary>Gets every request's body, in arrival order (empty for bodiless requests).</summary>
    public ConcurrentQueue<string> Bodies { get; }

    /// <summary>Answers a chat completion with <paramref name="text"/>: JSON, or SSE when the request asks to stream.</summary>
    public static Func<HttpContext, Task> ChatAnswer(string text) => async context =>
    {
        context.Request.Body.Position = 0;
        using var request = await System.Text.Json.JsonDocument.ParseAsync(context.Request.Body);
        var streaming = request.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == System.Text.Json.JsonValueKind.True;
        var content = System.Text.Json.JsonSerializer.Serialize(text);
        if (streaming)
        {
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync($$$"""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":{{{content}}}},"finish_reason":null}]}""" + "\n\n");
            await context.Response.WriteAsync("""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""" + "\n\ndata: [DONE]\n\n");
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync($$$"""{"id":"c1","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":{{{content}}}},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""");
    };

    public static async Task<LoopbackUpstream> StartAsync(Func<HttpContext, Task> handler)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var requests = new ConcurrentQueue<(string, Dictionary<string, string>)>();
        var bodies = new ConcurrentQueue<string>();
        app.Run(async context =>
        {
            context.Request.EnableBuffering();
            using (var reader = new StreamReader(context.Request.Body, leaveOpen: true))
            {
                bodies.Enqueue(await reader.ReadToEndAsync(context.RequestAborted));
            }

            context.Request.Body.Position = 0;
            requests.Enqueue((context.Request.Path.Value ?? string.Empty,
                context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            await handler(context);
        });
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new LoopbackUpstream(app, new Uri(address.TrimEnd('/') + "/"), requests, bodies);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
