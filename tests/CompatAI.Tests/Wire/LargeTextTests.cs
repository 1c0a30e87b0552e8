using System.ClientModel;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;
using OpenAI;

namespace CompatAI.Tests.Wire;

/// <summary>Large-text scopes are registered process-wide: these tests run alone, so the live count they read is their own.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LargeTextCollection
{
    public const string Name = "Large texts (not parallel)";
}

/// <summary>
/// Message texts of 64 Ki characters and more go to the provider without the OpenAI SDK serializing them (they are
/// written by <see cref="LargeTextContentPolicy"/> as the request is sent): through <see cref="CompatChatClient"/> to a
/// real Kestrel server on loopback, compared with what the bare OpenAI SDK sends for the same text.
/// </summary>
[Collection(LargeTextCollection.Name)]
public sealed class LargeTextTests
{
    private const string Completion = """{"id":"c1","object":"chat.completion","created":1,"model":"test-model","choices":[{"index":0,"message":{"role":"assistant","content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}""";

    private const string Stream = "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"ok\"},\"finish_reason\":null}]}\n\n"
        + "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        + "data: [DONE]\n\n";

    /// <summary>About <paramref name="megabytes"/> MB of text with everything JSON must escape or may encode: quotes, backslashes, control characters, non-ASCII, HTML-sensitive characters, and non-BMP emoji (surrogate pairs) at every offset relative to the writer's pieces.</summary>
    private static string HardText(double megabytes, string salt = "")
    {
        const string chunk = "plain words, \"quoted\" and \\back\\slashed\\ \u0000\u0001\u0007\u001f\t\r\n control; é ü ß Ω 中文 한국어 <tag> & 'apos' + plus `tick` \u2028\u2029 emoji 😀🎉 𝄞 \uFEFF end. ";
        var target = (int)(megabytes * 1_000_000);
        var builder = new StringBuilder(target + chunk.Length);
        builder.Append(salt);
        while (builder.Length < target)
        {
            builder.Append(chunk);
        }

        return builder.ToString();
    }

    /// <summary>The raw (still escaped) bytes of every <c>content</c> or <c>text</c> string value in a request body, and their decoded text.</summary>
    private static List<(string Raw, string Text)> TextValues(string body)
    {
        var values = new List<(string, string)>();
        var bytes = Encoding.UTF8.GetBytes(body);
        var reader = new Utf8JsonReader(bytes);
        string? property = null;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName)
            {
                property = reader.GetString();
            }
            else if (reader.TokenType == JsonTokenType.String && property is "content" or "text")
            {
                values.Add((Encoding.UTF8.GetString(reader.ValueSpan), reader.GetString()!));
                property = null;
            }
            else
            {
                property = null;
            }
        }

        return values;
    }

    /// <summary>Sends <paramref name="messages"/> through the bare OpenAI SDK (no CompatAI) and returns the body it sent.</summary>
    private static async Task<string> SentByTheBareSdkAsync(IEnumerable<ChatMessage> messages, bool streaming)
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(streaming ? ScriptedResponse.Sse(Stream) : ScriptedResponse.Json(Completion));
        var client = new OpenAIClient(new ApiKeyCredential(ClientFactory.TestKey), new OpenAIClientOptions { Endpoint = server.V1 }).GetChatClient("test-model").AsIChatClient();
        if (streaming)
        {
            await client.GetStreamingResponseAsync(messages).ToChatResponseAsync();
        }
        else
        {
            await client.GetResponseAsync(messages);
        }

        return server.LastRequest.Body;
    }

    private static void AssertSame(string expected, string actual, string what)
    {
        if (!string.Equals(expected, actual, StringComparison.Ordinal))
        {
            var at = 0;
            while (at < expected.Length && at < actual.Length && expected[at] == actual[at])
            {
                at++;
            }

            Assert.Fail($"{what} differ at character {at} of {expected.Length} (got {actual.Length}): expected …{expected.Substring(at, Math.Min(40, expected.Length - at))}… got …{actual.Substring(at, Math.Min(40, actual.Length - at))}…");
        }
    }

    /// <summary>An HTTP handler that records how many large-text scopes were live whenever a request was sent.</summary>
    private sealed class ScopeProbe() : DelegatingHandler(new SocketsHttpHandler())
    {
        public List<int> LiveAtSend { get; } = [];

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            LiveAtSend.Add(LargeTextScope.LiveCount);
            return base.SendAsync(request, cancellationToken);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_large_message_arrives_byte_identical_to_what_the_bare_sdk_sends(bool streaming)
    {
        var text = HardText(6);
        ChatMessage[] messages = [new(ChatRole.User, text)];
        var expected = TextValues(await SentByTheBareSdkAsync(messages, streaming));

        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(streaming ? ScriptedResponse.Sse(Stream) : ScriptedResponse.Json(Completion));
        var probe = new ScopeProbe();
        using var http = new HttpClient(probe);
        var client = ClientFactory.For(server, configure: o => o.HttpClient = http);
        var answer = streaming ? await client.GetStreamingResponseAsync(messages).ToChatResponseAsync() : await client.GetResponseAsync(messages);

        Assert.Equal("ok", answer.Text);
        var sent = TextValues(server.LastRequest.Body);
        var (raw, decoded) = Assert.Single(sent);
        AssertSame(text, decoded, "the text the server decoded and the text sent");
        AssertSame(Assert.Single(expected).Raw, raw, "the escaped bytes and the bare SDK's");
        // Sent with a Content-Length (the content computes its length), while the call's scope was live, and nothing after.
        Assert.Equal(Encoding.UTF8.GetByteCount(server.LastRequest.Body).ToString(System.Globalization.CultureInfo.InvariantCulture), server.LastRequest.Headers["Content-Length"]);
        Assert.Equal([1], probe.LiveAtSend);
        Assert.Equal(0, LargeTextScope.LiveCount);
    }

    [Fact]
    public async Task Large_texts_of_every_role_and_several_parts_arrive_intact_beside_small_ones()
    {
        var system = HardText(0.2, "system ");
        var first = HardText(0.5, "first part ");
        var second = HardText(0.3, "second part ");
        var assistant = HardText(0.1, "assistant ");
        ChatMessage[] messages =
        [
            new(ChatRole.System, system),
            new(ChatRole.User, "a small question"),
            new(ChatRole.Assistant, assistant),
            new(ChatRole.User, [new TextContent(first), new TextContent("small middle part"), new TextContent(second)]),
        ];
        var expected = TextValues(await SentByTheBareSdkAsync(messages, streaming: false));

        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Completion));
        await ClientFactory.For(server).GetResponseAsync(messages);

        var sent = TextValues(server.LastRequest.Body);
        Assert.Equal(expected.Count, sent.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            AssertSame(expected[i].Raw, sent[i].Raw, $"string value {i}");
        }

        Assert.Equal([system, "a small question", assistant, first, "small middle part", second], sent.Select(v => v.Text));
    }

    [Fact]
    public async Task A_retry_after_a_500_sends_identical_bytes()
    {
        var text = HardText(5);
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json("""{"error":{"message":"try again"}}""", status: 500)).Enqueue(ScriptedResponse.Json(Completion));

        var answer = await ClientFactory.For(server, retries: 1).GetResponseAsync([new ChatMessage(ChatRole.User, text)]);

        Assert.Equal("ok", answer.Text);
        Assert.Equal(2, server.Requests.Count);
        AssertSame(server.Requests[0].Body, server.Requests[1].Body, "the two attempts' bodies");
        AssertSame(text, Assert.Single(TextValues(server.Requests[1].Body)).Text, "the text the server decoded and the text sent");
        Assert.Equal(0, LargeTextScope.LiveCount);
    }

    [Fact]
    public async Task A_forged_marker_in_user_text_is_sent_literally()
    {
        // Shaped exactly like a marker, with a nonce no call has: ordinary text.
        var forged = "compatai-large-text:" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)) + ":0";
        var large = HardText(1) + forged;
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Completion));

        // The large message makes a scope live, so the request's body is searched for markers.
        await ClientFactory.For(server).GetResponseAsync([new ChatMessage(ChatRole.User, forged), new ChatMessage(ChatRole.User, large)]);

        Assert.Equal([forged, large], TextValues(server.LastRequest.Body).Select(v => v.Text));
    }

    [Fact]
    public void A_live_marker_that_is_not_a_whole_string_value_fails_before_anything_is_sent()
    {
        using var scope = LargeTextScope.Begin();
        var marker = scope.Add(HardText(0.1));
        var body = Encoding.UTF8.GetBytes($$"""{"messages":[{"role":"user","content":"prefix {{marker}}"}]}""");

        var ex = Assert.Throws<InvalidOperationException>(() => LargeTextContentPolicy.Resolve(body));
        Assert.Contains("marker cannot be put back", ex.Message, StringComparison.Ordinal);

        var whole = Encoding.UTF8.GetBytes($$"""{"messages":[{"role":"user","content":"{{marker}}"}]}""");
        Assert.NotNull(LargeTextContentPolicy.Resolve(whole));
        scope.Dispose();
        // Once the call has ended its marker names nothing: the scope's text is gone.
        Assert.Null(LargeTextContentPolicy.Resolve(whole));
    }

    [Fact]
    public async Task Cancelling_mid_upload_leaves_no_scope_and_closes_the_connection()
    {
        var text = HardText(20);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var receivedSome = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var resume = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[64 * 1024];
            var total = 0;
            while (total < buffer.Length)
            {
                total += await socket.ReceiveAsync(buffer.AsMemory(total));
            }

            // 64 KB of a 20 MB body arrived; stop reading until the client has given up, then drain what is left.
            receivedSome.SetResult();
            await resume.Task;
            long rest = 0;
            var ending = "closed";
            try
            {
                int read;
                while ((read = await socket.ReceiveAsync(buffer)) > 0)
                {
                    rest += read;
                }
            }
            catch (SocketException ex) when (ex.SocketErrorCode == SocketError.ConnectionReset)
            {
                // The client reset the connection rather than closing it: as much an end as a close.
                ending = "reset";
            }

            return (Received: total + rest, Ending: ending);
        });

        var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = "openai",
            Endpoint = new Uri($"http://127.0.0.1:{port}/v1"),
            ApiKey = ClientFactory.TestKey,
            Model = "test-model",
            Retry = { MaxRetries = 0 },
        });
        using var cts = new CancellationTokenSource();
        var call = client.GetResponseAsync([new ChatMessage(ChatRole.User, text)], cancellationToken: cts.Token);
        await receivedSome.Task.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(call.IsCompleted);
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
        Assert.Equal(0, LargeTextScope.LiveCount);
        resume.SetResult();
        // The connection was closed by the client: the server's read ends, short of the whole body.
        var (received, ending) = await server.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(received < Encoding.UTF8.GetByteCount(text), $"the server received {received} bytes before the connection was {ending}");
    }

    [Fact]
    public async Task Lone_surrogates_are_sent_as_the_bare_sdk_sends_them()
    {
        // Lone surrogates in the middle, at the end of the writer's first piece (4096 characters), and at the very end.
        var builder = new StringBuilder(HardText(0.1));
        builder.Insert(4095, '\uD800');
        builder.Insert(20_000, "lone low \uDC00, reversed pair \uDC00\uD800, ");
        builder.Append("end \uDBFF");
        var text = builder.ToString();
        var expected = Assert.Single(TextValues(await SentByTheBareSdkAsync([new ChatMessage(ChatRole.User, text)], streaming: false)));

        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Completion));
        await ClientFactory.For(server).GetResponseAsync([new ChatMessage(ChatRole.User, text)]);

        var sent = Assert.Single(TextValues(server.LastRequest.Body));
        AssertSame(expected.Raw, sent.Raw, "the escaped bytes and the bare SDK's");
        Assert.Contains("\\uFFFD", sent.Raw, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Small_texts_are_left_to_the_sdk()
    {
        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(ScriptedResponse.Json(Completion));
        var probe = new ScopeProbe();
        using var http = new HttpClient(probe);
        var small = new string('x', LargeTextScope.Threshold - 1);

        await ClientFactory.For(server, configure: o => o.HttpClient = http).GetResponseAsync([new ChatMessage(ChatRole.User, small)]);

        Assert.Equal([0], probe.LiveAtSend);
        Assert.Equal(small, Assert.Single(TextValues(server.LastRequest.Body)).Text);
    }
}
