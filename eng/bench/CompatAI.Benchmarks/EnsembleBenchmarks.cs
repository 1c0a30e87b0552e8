using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.AI;

namespace CompatAI.Benchmarks;

/// <summary>
/// Issue 9's ensemble goals: a 3-member <see cref="EnsembleMode.First"/> ensemble of members answering in 50, 100 and
/// 150 ms finishes within 1.1x of the fastest member alone, and <see cref="EnsembleMode.Vote"/> within 1.1x of the slowest
/// alone. The members wait with <see cref="Task.Delay(int, CancellationToken)"/> (no I/O), so the rows measure the
/// ensemble's own coordination and cancellation. Run with <c>-- --ensembles --filter '*'</c>.
/// </summary>
[MemoryDiagnoser]
public class EnsembleBenchmarks
{
    private static readonly List<ChatMessage> s_prompt = [new(ChatRole.User, "What is 6 x 7?")];

    private readonly IChatClient _fastest = new DelayedChatClient("fast", 50);
    private readonly IChatClient _slowest = new DelayedChatClient("slow", 150);
    private EnsembleChatClient _first = null!;
    private EnsembleChatClient _vote = null!;

    [GlobalSetup]
    public void Setup()
    {
        EnsembleMember[] Members() =>
        [
            new(new DelayedChatClient("fast", 50)) { Name = "fast" },
            new(new DelayedChatClient("medium", 100)) { Name = "medium" },
            new(new DelayedChatClient("slow", 150)) { Name = "slow" },
        ];
        _first = new EnsembleChatClient(Members(), new EnsembleOptions { Mode = EnsembleMode.First });
        _vote = new EnsembleChatClient(Members(), new EnsembleOptions { Mode = EnsembleMode.Vote });
    }

    [Benchmark(Baseline = true)]
    public async Task<string> FastestMemberAlone() => (await _fastest.GetResponseAsync(s_prompt).ConfigureAwait(false)).Text;

    [Benchmark]
    public async Task<string> FirstOfThree() => (await _first.GetResponseAsync(s_prompt).ConfigureAwait(false)).Text;

    [Benchmark]
    public async Task<string> SlowestMemberAlone() => (await _slowest.GetResponseAsync(s_prompt).ConfigureAwait(false)).Text;

    [Benchmark]
    public async Task<string> VoteOfThree() => (await _vote.GetResponseAsync(s_prompt).ConfigureAwait(false)).Text;

    /// <summary>A member that answers "42" after a fixed delay, and stops waiting when cancelled.</summary>
    private sealed class DelayedChatClient(string provider, int delayMs) : IChatClient
    {
        private readonly ChatClientMetadata _metadata = new(provider, null, provider + "-model");

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            await Task.Delay(delayMs, cancellationToken).ConfigureAwait(false);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, "42")) { ModelId = provider + "-model" };
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException("The ensemble benchmark is non-streaming.");

        public object? GetService(Type serviceType, object? serviceKey = null) =>
            serviceKey is null && serviceType == typeof(ChatClientMetadata) ? _metadata : null;

        public void Dispose()
        {
        }
    }
}
