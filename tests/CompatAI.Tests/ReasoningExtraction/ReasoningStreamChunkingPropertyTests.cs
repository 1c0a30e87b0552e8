using CompatAI;
using CompatAI.Tests.Support;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.ReasoningExtraction;

public sealed class ReasoningStreamChunkingPropertyTests
{
    private static (string Text, string Reasoning) Run(IReadOnlyList<string> chunks, bool detectUntagged)
    {
        var inner = new FakeChatClient
        {
            OnStream = (_, _, _) => FakeChatClient.ImmediateUpdates(chunks.Select(c => new ChatResponseUpdate(ChatRole.Assistant, c))),
        };
        using var client = new ReasoningExtractingChatClient(inner, new ReasoningExtractionOptions { DetectUntaggedReasoningAtStart = detectUntagged });
        var contents = new List<AIContent>();
        // The fake stream completes synchronously, so every MoveNextAsync has already finished when it returns.
        var enumerator = client.GetStreamingResponseAsync("hi").GetAsyncEnumerator();
        while (Completed(enumerator.MoveNextAsync()))
        {
            contents.AddRange(enumerator.Current.Contents);
        }

        Assert.True(enumerator.DisposeAsync().IsCompletedSuccessfully);

        return (Fixtures.Text(contents), Fixtures.Reasoning(contents));
    }

    private static bool Completed(ValueTask<bool> next)
    {
        Assert.True(next.IsCompleted, "the fake stream should complete synchronously");
        return next.Result;
    }

    [Fact]
    public void Any_chunking_of_a_stream_yields_the_same_text_and_reasoning_as_the_unsplit_stream()
    {
        string[] tokens = ["<think>", "</think>", "<Think>", "</THINK>", "<", "</", "think", ">", "answer", " ", "\n", "ü", "a<b", "x"];
        var streams =
            from pieces in Gen.ListOf(Gen.Elements(tokens))
            from cuts in Gen.ListOf(Gen.Choose(0, 120))
            from detect in Gen.Elements(true, false)
            select (Content: string.Concat(pieces), Cuts: cuts, Detect: detect);

        var property = Prop.ForAll(streams.ToArbitrary(), s =>
        {
            var points = s.Cuts.Select(c => c % (s.Content.Length + 1)).Distinct().Order().ToList();
            var chunks = new List<string>();
            int start = 0;
            foreach (int p in points)
            {
                chunks.Add(s.Content[start..p]);
                start = p;
            }

            chunks.Add(s.Content[start..]);
            var whole = Run([s.Content], s.Detect);
            var split = Run(chunks, s.Detect);
            return (whole == split).Label($"content={System.Text.Json.JsonSerializer.Serialize(s.Content)} detect={s.Detect} whole={whole} split={split}");
        });
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), property);
    }
}
