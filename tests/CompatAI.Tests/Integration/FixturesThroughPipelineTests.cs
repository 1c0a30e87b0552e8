using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CompatAI;
using CompatAI.Tests.Infrastructure;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Integration;

/// <summary>
/// Every successful recorded exchange in Fixtures/ is served over loopback HTTP and read through the provider's default
/// pipeline (real adapter, real SDK): reasoning in whatever form ends up in <see cref="TextReasoningContent"/> only,
/// the answer text and tool calls arrive intact, citations become annotations and the profile's usage counters are
/// surfaced. Text, reasoning and tool calls are worked out from the served bytes alone (never from the product's quirks),
/// and only a fixture that itself breaks off may end in an error.
/// </summary>
public sealed partial class FixturesThroughPipelineTests
{
    public static TheoryData<string> Exchanges() =>
    [
        .. Infrastructure.Fixtures.All.Where(static n => Infrastructure.Fixtures.ToResponse(n) is { Status: < 400 } r
            && (Infrastructure.Fixtures.IsStream(n) || !r.ContentType.StartsWith("text/event-stream", StringComparison.Ordinal))),
    ];

    [Theory]
    [MemberData(nameof(Exchanges))]
    public async Task Fixture_yields_normalized_output(string fixture)
    {
        // The expectations come from the bytes the server sends, read here without any of the product's code.
        var served = Infrastructure.Fixtures.ToResponse(fixture);
        bool stream = served.ContentType.StartsWith("text/event-stream", StringComparison.Ordinal);
        var chunks = stream ? ParseSse(served.Body) : [JsonNode.Parse(served.Body)!.AsObject()];
        string? model = chunks.Select(static c => c["model"]?.ToString()).FirstOrDefault(static m => m is not null);
        string provider = ProviderOf(fixture);

        await using var server = await LoopbackServer.StartAsync();
        server.Enqueue(Infrastructure.Fixtures.ToResponse(fixture));
        using var client = CompatChatClient.Create(new CompatChatClientOptions
        {
            Provider = provider,
            Endpoint = server.V1,
            ApiKey = ClientFactory.TestKey,
            Model = model ?? "test-model",
            Retry = new RetryOptions { MaxRetries = 0 },
        });

        List<AIContent> contents;
        ChatResponse? response = null;
        var updates = new List<ChatResponseUpdate>();
        if (stream)
        {
            // Only a fixture that itself breaks off (no finish reason, or an error object) may end in an error.
            bool endsCleanly = chunks.Any(static c => c["choices"] is JsonArray { Count: > 0 } ch && ch[0]?["finish_reason"] is JsonValue)
                && !chunks.Any(static c => c.ContainsKey("error"));
            if (endsCleanly)
            {
                await foreach (var update in client.GetStreamingResponseAsync("hi"))
                {
                    updates.Add(update);
                }
            }
            else
            {
                await Assert.ThrowsAsync<ProviderException>(async () =>
                {
                    await foreach (var update in client.GetStreamingResponseAsync("hi"))
                    {
                        updates.Add(update);
                    }
                });
            }

            contents = [.. updates.SelectMany(static u => u.Contents)];
        }
        else
        {
            response = await client.GetResponseAsync("hi");
            contents = [.. response.Messages.SelectMany(static m => m.Contents)];
        }

        string text = Support.Fixtures.Text(contents);
        string reasoning = Support.Fixtures.Reasoning(contents);
        Assert.DoesNotMatch(TagPattern(), text);

        var (expectedReasoning, expectedText) = Expected(chunks, stream);
        Assert.Equal(Normalize(expectedReasoning), Normalize(reasoning));
        Assert.Equal(Normalize(expectedText), Normalize(text));
        Assert.Equal(ExpectedToolCalls(chunks, stream), contents.OfType<FunctionCallContent>().Select(static c => (c.CallId, c.Name)));
        var quirks = client.GetService<ProviderProfile>()!.GetQuirks(model);
        if (reasoning.Trim().Length > 40)
        {
            Assert.DoesNotContain(reasoning.Trim(), text, StringComparison.Ordinal);
        }

        var urls = chunks.SelectMany(static c => c["citations"] as JsonArray ?? []).Select(static u => u?.ToString()).Where(static u => Uri.TryCreate(u, UriKind.Absolute, out _)).Distinct().Count();
        if (urls > 0 && (quirks.CitationFields?.Contains("citations") ?? true))
        {
            var annotations = contents.SelectMany(static c => c.Annotations ?? []).OfType<CitationAnnotation>().Select(static a => a.Url).Where(static u => u is not null).Distinct().Count();
            Assert.True(annotations >= urls, $"expected {urls} cited URLs, got {annotations}");
        }

        foreach (var field in quirks.UsageFields ?? [])
        {
            var value = chunks.Select(c => c["usage"]?[field]).LastOrDefault(static v => v is JsonValue);
            if (value is JsonValue v && v.TryGetValue<long>(out long count) && !field.Contains("cost", StringComparison.Ordinal))
            {
                var usage = response?.Usage ?? contents.OfType<UsageContent>().LastOrDefault()?.Details;
                Assert.NotNull(usage);
                Assert.Equal(count, usage!.AdditionalCounts![field]);
            }
        }
    }

    private static string ProviderOf(string fixture)
    {
        string prefix = fixture[..fixture.IndexOf('-')];
        return ProviderCatalog.Default.TryGet(prefix, out _) ? prefix : "custom";
    }

    private static List<JsonObject> ParseSse(string sse)
    {
        var result = new List<JsonObject>();
        foreach (var line in sse.Split('\n'))
        {
            string trimmed = line.Trim();
            string data = trimmed.StartsWith("data:", StringComparison.Ordinal) ? trimmed[5..].Trim() : trimmed.StartsWith('{') ? trimmed : string.Empty;
            if (data.StartsWith('{'))
            {
                if (Infrastructure.JsonText.TryParseObject(data) is { } chunk)
                {
                    result.Add(chunk);
                }
            }
        }

        return result;
    }

    private static List<(string CallId, string Name)> ExpectedToolCalls(List<JsonObject> chunks, bool stream) =>
    [
        .. chunks.Select(c => c["choices"] is JsonArray { Count: > 0 } choices ? (stream ? choices[0]?["delta"] : choices[0]?["message"]) : null)
            .SelectMany(static m => m?["tool_calls"] as JsonArray ?? [])
            .Where(static call => call?["id"] is JsonValue)
            .Select(static call => (call!["id"]!.ToString(), call["function"]?["name"]?.ToString() ?? string.Empty)),
    ];

    private static (string Reasoning, string Text) Expected(List<JsonObject> chunks, bool stream)
    {
        string[] fields = ["reasoning_content", "reasoning", "reasoning_details"];
        var fromFields = new StringBuilder();
        var content = new StringBuilder();
        foreach (var chunk in chunks)
        {
            if (chunk["choices"] is not JsonArray { Count: > 0 } choices || choices[0] is not JsonObject choice)
            {
                continue;
            }

            var message = (stream ? choice["delta"] : choice["message"]) as JsonObject;
            if (message is null)
            {
                continue;
            }

            // The adapter always maps reasoning_content; the middleware reads the profile's fields; first present wins.
            foreach (var field in fields)
            {
                string? piece = message[field] switch
                {
                    JsonValue value when value.TryGetValue<string>(out var s) => s,
                    JsonArray items => string.Concat(items.Select(static i => i?["text"]?.ToString())) is { Length: > 0 } t ? t : string.Concat(items.Select(static i => i?["summary"]?.ToString())),
                    _ => null,
                };
                if (!string.IsNullOrEmpty(piece))
                {
                    fromFields.Append(piece);
                    break;
                }
            }

            if (message["content"] is JsonValue c && c.TryGetValue<string>(out var text))
            {
                content.Append(text);
            }
            else if (message["content"] is JsonArray parts)
            {
                foreach (var part in parts.OfType<JsonObject>().Where(static p => p["type"]?.ToString() == "text"))
                {
                    content.Append(part["text"]?.ToString());
                }

                if (fromFields.Length > 0)
                {
                    continue;
                }

                // Mistral: [{"type":"thinking","thinking":[{"type":"text","text":...}]}, {"type":"text",...}]
                foreach (var part in parts.OfType<JsonObject>().Where(static p => p["type"]?.ToString() == "thinking"))
                {
                    foreach (var piece in part["thinking"] as JsonArray ?? [])
                    {
                        fromFields.Append(piece?["text"]?.ToString());
                    }
                }
            }
        }

        string all = content.ToString();
        var tagged = new StringBuilder();
        foreach (Match match in Regex.Matches(all, "<think>(.*?)(?:</think>|$)", RegexOptions.Singleline | RegexOptions.IgnoreCase))
        {
            tagged.Append(match.Groups[1].Value);
        }

        string visible = Regex.Replace(all, "<think>.*?(?:</think>|$)", string.Empty, RegexOptions.Singleline | RegexOptions.IgnoreCase);
        return (fromFields.Length > 0 ? fromFields.ToString() : tagged.ToString(), visible);
    }

    private static string Normalize(string s) => WhitespaceRun().Replace(s, " ").Trim();

    [GeneratedRegex("</?think>", RegexOptions.IgnoreCase)]
    private static partial Regex TagPattern();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();
}
