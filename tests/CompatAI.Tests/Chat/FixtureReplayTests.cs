using System.Text.Json;
using System.Text.Json.Nodes;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Chat;

/// <summary>
/// Every recorded exchange in Fixtures/ is served over loopback HTTP and read through the real adapter and the real
/// OpenAI SDK. The expected output is worked out independently from the fixture's JSON (the "oracle" helpers below).
/// </summary>
public sealed class FixtureReplayTests
{
    public static TheoryData<string> ErrorFixtures() => [.. Fixtures.All.Where(n => !Fixtures.IsStream(n) && Fixtures.ToResponse(n).Status >= 400)];

    public static TheoryData<string> SuccessFixtures() => [.. Fixtures.All.Where(n => !Fixtures.IsStream(n) && Fixtures.ToResponse(n) is { Status: < 400, ContentType: not "text/event-stream" and not "text/event-stream; charset=utf-8" })];

    public static TheoryData<string> StreamFixtures() => [.. Fixtures.All.Where(n => Fixtures.ToResponse(n).ContentType.StartsWith("text/event-stream", StringComparison.Ordinal))];

    private static JsonNode? FirstChoice(JsonObject chunk) => chunk["choices"] is JsonArray { Count: > 0 } choices ? choices[0] : null;

    private static readonly Dictionary<string, ProviderErrorKind> s_expectedKinds = new()
    {
        ["groq-error-429-rate-limit-tpd-service-tier.json"] = ProviderErrorKind.QuotaExceeded,
        ["openrouter-error-429-free-models-per-day.json"] = ProviderErrorKind.QuotaExceeded,
        ["llamacpp-error-400-exceed-context-size.json"] = ProviderErrorKind.ContextLengthExceeded,
        ["llamacpp-error-500-context-size-exceeded.json"] = ProviderErrorKind.ContextLengthExceeded,
        ["openai-error-401-invalid-api-key.json"] = ProviderErrorKind.Authentication,
        ["openai-error-404-model-not-found.json"] = ProviderErrorKind.NotFound,
        ["openai-error-429-rate-limit-exceeded-tokens.json"] = ProviderErrorKind.RateLimited,
        ["openai-error-429-request-too-large-tpm.json"] = ProviderErrorKind.RateLimited,
        ["xai-error-429-too-many-tokens-reconstructed.json"] = ProviderErrorKind.RateLimited,
        ["openai-error-500-server-error.json"] = ProviderErrorKind.ServerError,
        ["openai-error-503-model-overloaded.json"] = ProviderErrorKind.Unavailable,
    };

    [Theory]
    [MemberData(nameof(ErrorFixtures))]
    public async Task Error_fixture_becomes_a_classified_ProviderException(string fixture)
    {
        await using var server = await LoopbackServer.StartAsync();
        var response = Fixtures.ToResponse(fixture);
        server.Enqueue(response).Enqueue(response);
        using var client = ClientFactory.For(server);

        var ex = await Assert.ThrowsAsync<ProviderException>(() => client.GetResponseAsync("hi"));

        Assert.Equal("openai", ex.ProviderName);
        Assert.Equal(response.Status, ex.StatusCode);
        var expectedKind = s_expectedKinds.GetValueOrDefault(fixture, ProviderErrorKind.InvalidRequest);
        Assert.Equal(expectedKind, ex.Kind);
        // The provider's words survive, up to where a (masked) key would start: that part must be redacted.
        var providerMessage = OracleErrorMessage(JsonNode.Parse(response.Body)!);
        var keyEcho = providerMessage.IndexOf("provided: ", StringComparison.Ordinal);
        var visible = keyEcho >= 0 ? providerMessage[..(keyEcho + "provided: ".Length)] : providerMessage;
        Assert.Contains(visible[..Math.Min(40, visible.Length)], ex.Message, StringComparison.Ordinal);
        if (keyEcho >= 0)
        {
            var echoed = providerMessage[(keyEcho + "provided: ".Length)..].Split(' ')[0];
            Assert.DoesNotContain(echoed, ex.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain(echoed, ex.ResponseBody ?? string.Empty, StringComparison.Ordinal);
        }

        Assert.DoesNotContain(ClientFactory.TestKey, ex.ToString(), StringComparison.Ordinal);
        Assert.Single(server.Requests); // retries are off: the client must not have asked twice
    }

    [Theory]
    [MemberData(nameof(SuccessFixtures))]
    public async Task Nonstreaming_fixture_maps_text_tool_calls_finish_reason_and_usage(string fixture)
    {
        await using var server = await LoopbackServer.StartAsync();
        var scripted = Fixtures.ToResponse(fixture);
        server.Enqueue(scripted);
        using var client = ClientFactory.For(server);

        var response = await client.GetResponseAsync("hi");

        var body = JsonNode.Parse(scripted.Body)!;
        var choice = body["choices"]![0]!;
        var message = choice["message"]!;
        Assert.Equal(OracleText(message["content"]), response.Text);
        Assert.Equal(OracleFinish(choice["finish_reason"]?.ToString()), response.FinishReason?.Value);
        Assert.Equal(body["id"]?.ToString(), response.ResponseId);
        Assert.IsType<OpenAI.Chat.ChatCompletion>(response.RawRepresentation);

        // Mistral reasoning models send thinking as content parts; the adapter surfaces them like reasoning_content.
        var reasoning = message["reasoning_content"]?.GetValue<string>()
            ?? (message["content"] is JsonArray parts
                ? string.Concat(parts.Where(p => p?["type"]?.ToString() == "thinking").SelectMany(p => p!["thinking"]!.AsArray()).Select(t => t!["text"]!.ToString()))
                : null);
        var reasoningContents = response.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().ToList();
        if (string.IsNullOrEmpty(reasoning))
        {
            Assert.Empty(reasoningContents);
        }
        else
        {
            Assert.Equal(reasoning, Assert.Single(reasoningContents).Text);
        }

        var expectedCalls = (message["tool_calls"] as JsonArray ?? []).Select(c => c!).ToList();
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(expectedCalls.Count, calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            Assert.Equal(expectedCalls[i]["id"]!.ToString(), calls[i].CallId);
            Assert.Equal(expectedCalls[i]["function"]!["name"]!.ToString(), calls[i].Name);
            AssertArgumentsEqual(expectedCalls[i]["function"]!["arguments"]!.ToString(), calls[i]);
        }

        if (body["usage"] is JsonObject usage)
        {
            Assert.Equal(usage["prompt_tokens"]!.GetValue<long>(), response.Usage!.InputTokenCount);
            Assert.Equal(usage["completion_tokens"]!.GetValue<long>(), response.Usage.OutputTokenCount);
            Assert.Equal(usage["total_tokens"]!.GetValue<long>(), response.Usage.TotalTokenCount);
            if (usage["prompt_tokens_details"]?["cached_tokens"] is { } cached)
            {
                Assert.Equal(cached.GetValue<long>(), response.Usage.CachedInputTokenCount);
            }

            if (usage["completion_tokens_details"]?["reasoning_tokens"] is { } reasoningTokens)
            {
                Assert.Equal(reasoningTokens.GetValue<long>(), response.Usage.ReasoningTokenCount);
            }
        }
    }

    [Theory]
    [MemberData(nameof(StreamFixtures))]
    public async Task Streaming_fixture_yields_text_reasoning_complete_tool_calls_and_usage_or_a_typed_error(string fixture)
    {
        await using var server = await LoopbackServer.StartAsync();
        var scripted = Fixtures.ToResponse(fixture);
        server.Enqueue(scripted);
        using var client = ClientFactory.For(server);

        var chunks = Fixtures.StreamChunks(scripted.Body);
        var errorAt = chunks.FindIndex(c => c.ContainsKey("error"));
        var dataBeforeError = errorAt < 0 ? chunks : chunks[..errorAt];
        var finished = errorAt < 0 && (scripted.Body.Contains("data: [DONE]", StringComparison.Ordinal) || chunks.Any(c => FirstChoice(c)?["finish_reason"] is JsonValue));

        var updates = new List<ChatResponseUpdate>();
        ProviderException? error = null;
        try
        {
            await foreach (var update in client.GetStreamingResponseAsync("hi"))
            {
                updates.Add(update);
            }
        }
        catch (ProviderException ex)
        {
            error = ex;
        }

        var deltas = dataBeforeError.Select(c => FirstChoice(c)?["delta"]).Where(d => d is not null).ToList();
        Assert.Equal(string.Concat(deltas.Select(d => d!["content"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty)), string.Concat(updates.Select(u => u.Text)));
        Assert.Equal(
            string.Concat(deltas.Select(d => d!["reasoning_content"] is JsonValue v && v.TryGetValue<string>(out var s) ? s : string.Empty)),
            string.Concat(updates.SelectMany(u => u.Contents).OfType<TextReasoningContent>().Select(r => r.Text)));

        if (errorAt >= 0 || !finished)
        {
            Assert.NotNull(error);
            Assert.Equal(dataBeforeError.Count > 0, error.OutputStarted);
            if (errorAt >= 0)
            {
                // An error object keeps its own classification, before or after output.
                Assert.NotEqual(ProviderErrorKind.StreamInterrupted, error.Kind);
                Assert.Contains(chunks[errorAt]["error"]!["message"]!.ToString(), error.Message, StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal(ProviderErrorKind.StreamInterrupted, error.Kind);
            }

            return;
        }

        Assert.Null(error);
        var expectedCalls = OracleStreamedToolCalls(deltas);
        var calls = updates.SelectMany(u => u.Contents).OfType<FunctionCallContent>().ToList();
        Assert.Equal(expectedCalls.Count, calls.Count);
        for (var i = 0; i < calls.Count; i++)
        {
            Assert.Equal(expectedCalls[i].Id, calls[i].CallId);
            Assert.Equal(expectedCalls[i].Name, calls[i].Name);
            AssertArgumentsEqual(expectedCalls[i].Arguments, calls[i]);
        }

        var lastFinish = chunks.Select(c => FirstChoice(c)?["finish_reason"]).LastOrDefault(f => f is JsonValue)?.ToString();
        Assert.Equal(OracleFinish(lastFinish), updates.Last().FinishReason?.Value);

        var usageChunk = chunks.LastOrDefault(c => c["usage"] is JsonObject);
        var usage = updates.SelectMany(u => u.Contents).OfType<UsageContent>().LastOrDefault();
        if (usageChunk is null)
        {
            Assert.Null(usage);
        }
        else
        {
            Assert.NotNull(usage);
            Assert.Equal(usageChunk["usage"]!["prompt_tokens"]!.GetValue<long>(), usage.Details.InputTokenCount);
            Assert.Equal(usageChunk["usage"]!["completion_tokens"]!.GetValue<long>(), usage.Details.OutputTokenCount);
        }
    }

    private static void AssertArgumentsEqual(string expectedJson, FunctionCallContent call)
    {
        Assert.Null(call.Exception);
        var expected = string.IsNullOrWhiteSpace(expectedJson) ? new JsonObject() : JsonNode.Parse(expectedJson)!;
        var actual = JsonSerializer.SerializeToNode(call.Arguments, AIJsonUtilities.DefaultOptions)!;
        Assert.True(JsonNode.DeepEquals(expected, actual), $"arguments differ: expected {expected.ToJsonString()} but got {actual.ToJsonString()}");
    }

    private static string OracleText(JsonNode? content) => content switch
    {
        null => string.Empty,
        JsonValue v => v.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Where(p => p?["type"]?.ToString() == "text").Select(p => p!["text"]!.ToString())),
        _ => throw new InvalidOperationException("unexpected content shape"),
    };

    /// <summary>The finish reason a caller should see: the five OpenAI values, others mapped to their meaning.</summary>
    private static string? OracleFinish(string? raw) => raw?.ToLowerInvariant() switch
    {
        null or "" => raw is null ? null : "stop",
        "stop" or "eos" or "end_turn" => "stop",
        "length" or "model_length" or "max_tokens" => "length",
        "tool_calls" or "function_call" => "tool_calls",
        "content_filter" => "content_filter",
        var other => throw new InvalidOperationException($"the oracle does not know finish_reason '{other}'"),
    };

    private static List<(string Id, string Name, string Arguments)> OracleStreamedToolCalls(List<JsonNode?> deltas)
    {
        var byKey = new List<(string Id, string Name, System.Text.StringBuilder Args)>();
        var indexOf = new Dictionary<int, int>();
        foreach (var delta in deltas)
        {
            foreach (var call in delta!["tool_calls"] as JsonArray ?? [])
            {
                var index = call!["index"]?.GetValue<int>() ?? byKey.Count;
                if (!indexOf.TryGetValue(index, out var slot))
                {
                    slot = byKey.Count;
                    indexOf[index] = slot;
                    byKey.Add((string.Empty, string.Empty, new System.Text.StringBuilder()));
                }

                var entry = byKey[slot];
                if (entry.Id.Length == 0 && call["id"]?.ToString() is { Length: > 0 } id)
                {
                    entry.Id = id;
                }

                if (entry.Name.Length == 0 && call["function"]?["name"]?.ToString() is { Length: > 0 } name)
                {
                    entry.Name = name;
                }

                entry.Args.Append(call["function"]?["arguments"]?.ToString());
                byKey[slot] = entry;
            }
        }

        return [.. byKey.Select(e => (e.Id, e.Name, e.Args.ToString()))];
    }

    private static string OracleErrorMessage(JsonNode body) => body switch
    {
        JsonObject o when o["error"] is JsonObject e => e["message"]!.ToString(),
        JsonObject o when o["error"] is JsonValue s => s.ToString(),
        JsonObject o when o["message"] is { } m => m.ToString(),
        JsonArray a => OracleErrorMessage(a[0]!),
        _ => body.ToString(),
    };
}
