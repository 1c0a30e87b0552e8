using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace CompatAI.Tests.Infrastructure;

/// <summary>A scripted HTTP response served by <see cref="LoopbackServer"/>.</summary>
public sealed class ScriptedResponse
{
    public int Status { get; init; } = 200;

    public string ContentType { get; init; } = "application/json";

    public Dictionary<string, string> Headers { get; init; } = new(StringComparer.OrdinalIgnoreCase);

    public string Body { get; init; } = string.Empty;

    /// <summary>When set, the body is written in these pieces, flushed one by one (exercises chunk boundaries).</summary>
    public IReadOnlyList<string>? Pieces { get; init; }

    /// <summary>Never answer: wait until the client gives up.</summary>
    public bool Hang { get; init; }

    /// <summary>Write the body (or pieces), then abort the connection instead of completing the response.</summary>
    public bool AbortAfterBody { get; init; }

    /// <summary>With <see cref="AbortAfterBody"/>: abort only once this task completes (for example when the client has read what was sent).</summary>
    public Task? AbortWhen { get; init; }

    public static ScriptedResponse Json(string body, int status = 200) => new() { Status = status, Body = body };

    public static ScriptedResponse Sse(string body) => new() { ContentType = "text/event-stream", Body = body };
}

/// <summary>What the client sent.</summary>
public sealed record RecordedRequest(string Method, string Path, string Protocol, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset ReceivedAt);

/// <summary>A real Kestrel server on 127.0.0.1 that answers each request with the next scripted response and records what it received.</summary>
public sealed class LoopbackServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ScriptedResponse> _script = new();
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private LoopbackServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The OpenAI-style base URL, ending in <c>/v1</c>.</summary>
    public Uri V1 => new(BaseUrl, "v1");

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public RecordedRequest LastRequest => _requests.Last();

    public static async Task<LoopbackServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(System.Net.IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var server = new LoopbackServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/");
        return server;
    }

    public LoopbackServer Enqueue(ScriptedResponse response)
    {
        _script.Enqueue(response);
        return this;
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(context.RequestAborted);
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        _requests.Enqueue(new RecordedRequest(context.Request.Method, context.Request.Path + context.Request.QueryString, context.Request.Protocol, headers, body, DateTimeOffset.UtcNow));

        if (!_script.TryDequeue(out var response))
        {
            context.Response.StatusCode = 599;
            await context.Response.WriteAsync("{\"error\":{\"message\":\"the test scripted no response for this request\"}}");
            return;
        }

        if (response.Hang)
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, context.RequestAborted).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        context.Response.StatusCode = response.Status;
        context.Response.ContentType = response.ContentType;
        foreach (var (name, value) in response.Headers)
        {
            context.Response.Headers[name] = value;
        }

        foreach (var piece in response.Pieces ?? [response.Body])
        {
            await context.Response.WriteAsync(piece, context.RequestAborted);
            await context.Response.Body.FlushAsync(context.RequestAborted);
        }

        if (response.AbortAfterBody)
        {
            if (response.AbortWhen is { } signal)
            {
                await signal.WaitAsync(TimeSpan.FromSeconds(10), context.RequestAborted);
            }

            context.Abort();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
