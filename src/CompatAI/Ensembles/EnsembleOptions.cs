using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>Configures <see cref="EnsembleChatClient"/>.</summary>
public sealed class EnsembleOptions
{
    /// <summary>Gets or sets how members are combined. Default: <see cref="EnsembleMode.First"/>.</summary>
    public EnsembleMode Mode { get; set; } = EnsembleMode.First;

    /// <summary>Gets or sets, for <see cref="EnsembleMode.Cascade"/>, whether an answer is good enough. Required for that mode.</summary>
    public Func<ChatResponse, CancellationToken, ValueTask<bool>>? Validator { get; set; }

    /// <summary>Gets or sets how <see cref="EnsembleMode.Vote"/> normalizes answers before comparing. Default: trimmed, lower case, whitespace collapsed, trailing <c>.!?</c> removed.</summary>
    public Func<string, string> Normalize { get; set; } = DefaultNormalize;

    /// <summary>Gets or sets the prices for the members' costs. Default: <see cref="PriceTable.Default"/>.</summary>
    public PriceTable? Prices { get; set; }

    /// <summary>Gets or sets the random source of <see cref="EnsembleMode.Weighted"/>. Default: <see cref="System.Random.Shared"/>.</summary>
    public Random Random { get; set; } = Random.Shared;

    /// <summary>Gets or sets the clock that measures the members' latency. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    internal static string DefaultNormalize(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).TrimEnd('.', '!', '?').ToLowerInvariant();

    internal void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentOutOfRangeException(nameof(Mode), Mode, "EnsembleOptions.Mode is not a known mode.");
        }

        if (Mode == EnsembleMode.Cascade && Validator is null)
        {
            throw new ArgumentException("EnsembleOptions.Mode is Cascade but no Validator is set.", nameof(Validator));
        }

        ArgumentNullException.ThrowIfNull(Normalize, nameof(Normalize));
        ArgumentNullException.ThrowIfNull(Random, nameof(Random));
        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
    }
}
