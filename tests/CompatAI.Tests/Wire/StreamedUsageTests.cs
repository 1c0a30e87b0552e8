using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CompatAI.Tests.Wire;

/// <summary>
/// The streamed usage total equals the provider's last report, whether the provider sends usage once or repeats running
/// totals on every chunk (Perplexity, NVIDIA NIM), through CompatAI's client and through a bare
/// <c>AsIChatClient()</c> configured with <c>UseCompatWireRepairs</c>.
/// </summary>
public sealed class StreamedUsageTests
{
    private const string Id = "chatcmpl-usage";

    /// <summary>Eight content chunks, each with the running totals so far (prompt 10, completion 1..8), then [DONE].</summary>
    private static string RunningTotals(bool withDone)
    {
        var sse = new StringBuilder();
        for (var i = 1; i <= 8; i++)
        {
            var finish = i == 8 ? "\"stop\"" : "null";
            sse.Append($$$"""data: {"id":"{{{Id}}}","object":"chat.completion.chunk","created":1,"model":"sonar","choices":[{"index":0,"delta":{"content":"w{{{i}}} "},"finish_reason":{{{finish}}}}],"usage":{"prompt_tokens":10,"completion_tokens":{{{i}}},"total_tokens":{{{10 + i}}}}}""").Append("\n\n");
        }

        if (withDone)
        {
            sse.Append("data: [DONE]\n\n");
        }

        return sse.ToString();
    }

    /// <summary>OpenAI's shape: usage null on every chunk, then one usage-only chunk after the finish.</summary>
    private static string OnceAtTheEnd() =>
        $$$"""data: {"id":"{{{Id}}}","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{"content":"hi"},"finish_reason":null}],"usage":null}""" + "\n\n"
        + $$$"""data: {"id":"{{{Id}}}","object":"chat.completion.chunk","created":1,"model":"m","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}""" + "\n\n"
        + $$$"""data: {"id":"{{{Id}}}","object":"chat.completion.chunk","created":1,"model":"m","choices":[],"usage":{"prompt_tokens":10,"completion_tokens":8,"total_tokens":18}}""" + "\n\n"
        + "data: [DONE]\n\n";

    private static IChatClient Bare(LoopbackServer server, string provider) =>
        new OpenAIClient(new ApiKeyCredential(ClientFactory.TestKey), new OpenAIClientOptions { Endpoint = server.V1, RetryPolicy = new ClientRetryPolicy(0) }.UseCompatWireRepairs(provider))
            .GetChatClient("sonar")
            .AsIChatClient();

    public static TheoryData<string, bool, bool> Cases() => new()
    {
        { "perplexity", true, false },
        { "perplexity", false, false },
        { "perplexity", true, true },
        { "nvidia", true, false },
        { "nvidia", true, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Running_totals_on_every_chunk_add_up_to_the_last_report(string provider, bool withDone, bool bare)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(RunningTotals(withDone)));
        using var client = bare ? Bare(server, provider) : ClientFactory.For(server, provider: provider);

        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();
        var response = updates.ToChatResponse();

        Assert.Equal("w1 w2 w3 w4 w5 w6 w7 w8 ", response.Text);
        Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal(10, response.Usage!.InputTokenCount);
        Assert.Equal(8, response.Usage.OutputTokenCount);
        Assert.Equal(18, response.Usage.TotalTokenCount);
        Assert.Equal(Microsoft.Extensions.AI.ChatFinishReason.Stop, response.FinishReason);
    }

    [Fact]
    public async Task Without_the_repair_the_same_bytes_are_summed_by_ToChatResponse()
    {
        // The defect being repaired: the bare SDK + MEAI sum the eight running totals (prompt 80, not 10).
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(RunningTotals(withDone: true)));
        using var bare = new OpenAIClient(new ApiKeyCredential(ClientFactory.TestKey), new OpenAIClientOptions { Endpoint = server.V1, RetryPolicy = new ClientRetryPolicy(0) })
            .GetChatClient("sonar").AsIChatClient();

        var response = (await bare.GetStreamingResponseAsync("hi").ToListAsync()).ToChatResponse();

        Assert.Equal(80, response.Usage!.InputTokenCount);
        Assert.Equal(36, response.Usage.OutputTokenCount);
    }

    [Theory]
    [InlineData("openai", false)]
    [InlineData("openai", true)]
    [InlineData("perplexity", false)]
    public async Task Usage_sent_once_is_passed_on_once(string provider, bool bare)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Sse(OnceAtTheEnd()));
        using var client = bare ? Bare(server, provider) : ClientFactory.For(server, provider: provider);

        var updates = await client.GetStreamingResponseAsync("hi").ToListAsync();
        var response = updates.ToChatResponse();

        Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>());
        Assert.Equal(10, response.Usage!.InputTokenCount);
        Assert.Equal(8, response.Usage.OutputTokenCount);
        Assert.Equal(18, response.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Perplexity_emulator_stream_reports_its_usage_once_through_the_pipeline()
    {
        await using var emulator = await CompatAI.Emulator.ProviderEmulator.StartAsync(new CompatAI.Emulator.ProviderEmulatorOptions { Host = "127.0.0.1" });
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "perplexity",
            Endpoint = emulator.GetEndpoint("perplexity"),
            ApiKey = "emulator-key",
            Model = "sonar",
            Retry = { MaxRetries = 0 },
        });
        using var reference = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "perplexity",
            Endpoint = emulator.GetEndpoint("perplexity"),
            ApiKey = "emulator-key",
            Model = "sonar",
            Retry = { MaxRetries = 0 },
        });

        var streamed = (await client.GetStreamingResponseAsync("one two three four five").ToListAsync()).ToChatResponse();
        var whole = await reference.GetResponseAsync("one two three four five");

        // The non-streaming body carries the usage once; the stream, which repeats it on every chunk, must agree.
        Assert.Equal(whole.Text, streamed.Text);
        Assert.Equal(whole.Usage!.InputTokenCount, streamed.Usage!.InputTokenCount);
        Assert.Equal(whole.Usage.OutputTokenCount, streamed.Usage.OutputTokenCount);
        Assert.Equal(whole.Usage.TotalTokenCount, streamed.Usage.TotalTokenCount);
    }
}
