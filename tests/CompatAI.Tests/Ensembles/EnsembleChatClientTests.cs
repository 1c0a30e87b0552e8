using CompatAI;
using CompatAI.Emulator;
using CompatAI.Tests.Integration;
using Microsoft.Extensions.AI;

namespace CompatAI.Tests.Ensembles;

/// <summary>Each ensemble mode over real HTTP against the emulator's personalities.</summary>
[Collection(EmulatorCollection.Name)]
public sealed class EnsembleChatClientTests(EmulatorFixture fixture)
{
    private static readonly PriceTable s_prices = new([
        new ModelPrice { Provider = "mistral", Model = "mistral-small-latest", Input = 1m, Output = 1m },
        new ModelPrice { Provider = "openai", Model = "gpt-4o-mini", Input = 5m, Output = 5m },
    ]);

    private EnsembleMember Member(string personality, string model, double weight = 1) => new(fixture.Pipeline(personality, model)) { Weight = weight };

    private EnsembleMember[] Three() =>
    [
        Member("mistral", "mistral-small-latest"),
        Member("openai", "gpt-4o-mini"),
        Member("groq", "llama-3.3-70b-versatile"),
    ];

    private static IReadOnlyList<EnsembleMemberOutcome> Outcomes(ChatResponse response) =>
        (IReadOnlyList<EnsembleMemberOutcome>)response.AdditionalProperties![EnsembleChatClient.MembersKey]!;

    [Fact]
    public async Task First_returns_the_first_success_and_cancels_the_slower_members()
    {
        // mistral's first byte comes after 10 s; openai answers at once. The hedge must not wait for mistral.
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.SlowStart(TimeSpan.FromSeconds(10)));
        using var ensemble = new EnsembleChatClient([Member("mistral", "mistral-small-latest"), Member("openai", "gpt-4o-mini")], new EnsembleOptions { Mode = EnsembleMode.First, Prices = s_prices });

        var response = await ensemble.GetResponseAsync("hedge this");

        Assert.Contains("hedge this", response.Text);
        Assert.Equal("openai", response.AdditionalProperties![EnsembleChatClient.WinnerKey]);
        Assert.Equal("first", response.AdditionalProperties[EnsembleChatClient.ModeKey]);
        var outcomes = Outcomes(response);
        Assert.Equal(EnsembleMemberStatus.Cancelled, outcomes[0].Status);
        Assert.False(outcomes[0].Won);
        Assert.Equal(EnsembleMemberStatus.Succeeded, outcomes[1].Status);
        Assert.True(outcomes[1].Won);
        var usage = response.Usage!;
        Assert.Equal((usage.InputTokenCount!.Value + usage.OutputTokenCount!.Value) * 5m / 1_000_000m, outcomes[1].Cost);
    }

    [Fact]
    public async Task Vote_takes_the_majority_answer_and_records_a_failed_member()
    {
        fixture.Emulator.EnqueueFault("groq", EmulatorFault.WithStatus(503));
        using var ensemble = new EnsembleChatClient(Three(), new EnsembleOptions { Mode = EnsembleMode.Vote });

        var response = await ensemble.GetResponseAsync("vote on this");

        // The emulator answers every personality with the same text: the two that answered agree.
        Assert.Equal(2, response.AdditionalProperties![EnsembleChatClient.VotesKey]);
        Assert.Equal("mistral", response.AdditionalProperties[EnsembleChatClient.WinnerKey]);
        var outcomes = Outcomes(response);
        Assert.Equal([EnsembleMemberStatus.Succeeded, EnsembleMemberStatus.Succeeded, EnsembleMemberStatus.Failed], outcomes.Select(o => o.Status));
        Assert.NotNull(outcomes[2].Error);
        Assert.Equal(ProviderErrorKind.Unavailable, outcomes[2].Exception!.Kind);
    }

    [Fact]
    public async Task Vote_breaks_a_tie_by_weight()
    {
        // A normalizer that keeps every answer apart (each call is numbered), so each member is a group of one vote:
        // the tie goes to the heavier member.
        int calls = 0;
        using var ensemble = new EnsembleChatClient(
            [Member("mistral", "mistral-small-latest", weight: 1), Member("openai", "gpt-4o-mini", weight: 3)],
            new EnsembleOptions { Mode = EnsembleMode.Vote, Normalize = text => $"{Interlocked.Increment(ref calls)}:{text}" });

        var response = await ensemble.GetResponseAsync("tie");

        Assert.Equal(1, response.AdditionalProperties![EnsembleChatClient.VotesKey]);
        Assert.Equal("openai", response.AdditionalProperties[EnsembleChatClient.WinnerKey]);
    }

    [Theory]
    [InlineData(0.1, "mistral")]
    [InlineData(0.5, "openai")]
    public async Task Weighted_draws_among_the_successes_by_weight(double draw, string expected)
    {
        // Weights 1 and 3 (total 4): 0.1 x 4 = 0.4 falls to mistral, 0.5 x 4 = 2 to openai.
        using var ensemble = new EnsembleChatClient(
            [Member("mistral", "mistral-small-latest", weight: 1), Member("openai", "gpt-4o-mini", weight: 3)],
            new EnsembleOptions { Mode = EnsembleMode.Weighted, Random = new FixedRandom(draw) });

        var response = await ensemble.GetResponseAsync("weigh this");

        Assert.Equal(expected, response.AdditionalProperties![EnsembleChatClient.WinnerKey]);
        Assert.All(Outcomes(response), o => Assert.Equal(EnsembleMemberStatus.Succeeded, o.Status));
    }

    [Fact]
    public async Task Cascade_escalates_when_the_validator_rejects_and_stops_at_the_first_accepted_answer()
    {
        int mistralBefore = fixture.Emulator.Requests.Count(r => r.Personality == "mistral");
        int groqBefore = fixture.Emulator.Requests.Count(r => r.Personality == "groq");
        using var ensemble = new EnsembleChatClient(Three(), new EnsembleOptions
        {
            Mode = EnsembleMode.Cascade,
            Prices = s_prices,
            Validator = (response, _) => ValueTask.FromResult(response.ModelId != "mistral-small-latest"),
        });

        var response = await ensemble.GetResponseAsync("escalate me");

        Assert.Equal("openai", response.AdditionalProperties![EnsembleChatClient.WinnerKey]);
        Assert.Equal(true, response.AdditionalProperties[EnsembleChatClient.AcceptedKey]);
        var outcomes = Outcomes(response);
        Assert.Equal([EnsembleMemberStatus.Rejected, EnsembleMemberStatus.Succeeded, EnsembleMemberStatus.NotRun], outcomes.Select(o => o.Status));
        Assert.NotNull(outcomes[0].Cost);
        Assert.Equal(mistralBefore + 1, fixture.Emulator.Requests.Count(r => r.Personality == "mistral"));
        Assert.Equal(groqBefore, fixture.Emulator.Requests.Count(r => r.Personality == "groq"));
    }

    [Fact]
    public async Task When_every_member_fails_the_error_lists_each()
    {
        fixture.Emulator.EnqueueFault("mistral", EmulatorFault.WithStatus(500));
        fixture.Emulator.EnqueueFault("openai", EmulatorFault.WithStatus(503));
        using var ensemble = new EnsembleChatClient([Member("mistral", "mistral-small-latest"), Member("openai", "gpt-4o-mini")], new EnsembleOptions { Mode = EnsembleMode.First });

        var error = await Assert.ThrowsAsync<ProviderException>(() => ensemble.GetResponseAsync("all fail"));

        Assert.Equal(2, error.Attempts.Count);
        Assert.Equal(["mistral", "openai"], error.Attempts.Select(a => a.ProviderName).Order());
    }

    [Fact]
    public async Task A_stream_yields_the_winning_answer_with_the_outcomes()
    {
        using var ensemble = new EnsembleChatClient([Member("mistral", "mistral-small-latest"), Member("openai", "gpt-4o-mini")], new EnsembleOptions { Mode = EnsembleMode.Vote });
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in ensemble.GetStreamingResponseAsync("stream the vote"))
        {
            updates.Add(update);
        }

        Assert.Contains("stream the vote", updates.ToChatResponse().Text);
        Assert.All(updates, u => Assert.Equal("vote", u.AdditionalProperties![EnsembleChatClient.ModeKey]));
    }

    private sealed class FixedRandom(double value) : Random
    {
        public override double NextDouble() => value;
    }
}
