using System.Text;
using CompatAI.Gateway.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;

namespace CompatAI.Gateway.Tests;

/// <summary>A client that walks away mid-stream cancels the gateway's request to a real HTTP upstream.</summary>
public sealed class UpstreamCancellationTests
{
    [Fact]
    public async Task Client_disconnect_mid_stream_aborts_the_request_to_a_real_http_upstream()
    {
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var aborted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int abortedCount = 0;

        // The upstream sends one chunk, then keeps the stream open until its request is aborted.
        await using var upstream = await LoopbackUpstream.StartAsync(async context =>
        {
            using var registration = context.RequestAborted.Register(() =>
            {
                Interlocked.Increment(ref abortedCount);
                aborted.TrySetResult();
            });
            context.Response.ContentType = "text/event-stream";
            await context.Response.WriteAsync("""data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"first"},"finish_reason":null}]}""" + "\n\n");
            await context.Response.Body.FlushAsync();
            streaming.TrySetResult();
            await aborted.Task; // completes only through the abort registration above
        });
        await using var server = await GatewayServer.StartAsync(new Dictionary<string, string?>
        {
            ["CompatAI:Providers:acme:Provider"] = "openai",
            ["CompatAI:Providers:acme:Endpoint"] = upstream.BaseAddress.ToString(),
            ["CompatAI:Providers:acme:ApiKey"] = "sk-provider-own-key",
            ["CompatAI:Providers:acme:ListUpstreamModels"] = "false",
        });
        using var bound = new CancellationTokenSource(TimeSpan.FromMinutes(1)); // a missing abort fails the test instead of hanging it

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions")
        {
            Content = new StringContent("""{"model":"acme/m","stream":true,"messages":[{"role":"user","content":"q"}]}""", Encoding.UTF8, "application/json"),
        };
        var response = await server.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, bound.Token);
        var body = await response.Content.ReadAsStreamAsync(bound.Token);
        var buffer = new byte[1024];
        var read = await body.ReadAsync(buffer, bound.Token);
        Assert.Contains("first", Encoding.UTF8.GetString(buffer, 0, read), StringComparison.Ordinal);
        await streaming.Task.WaitAsync(bound.Token);
        Assert.Equal(0, Volatile.Read(ref abortedCount)); // the upstream request is alive while the client reads

        // Walk away mid-stream: the upstream must see its request aborted.
        await body.DisposeAsync();
        response.Dispose();
        await aborted.Task.WaitAsync(bound.Token);

        Assert.Equal(1, Volatile.Read(ref abortedCount));
        Assert.Single(upstream.Requests); // aborted, not retried
    }
}
