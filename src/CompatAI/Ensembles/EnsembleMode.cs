namespace CompatAI;

/// <summary>How an <see cref="EnsembleChatClient"/> combines its members.</summary>
public enum EnsembleMode
{
    /// <summary>Hedged: every member at once; the first complete success wins and the others are cancelled.</summary>
    First,

    /// <summary>Every member at once; the answer most members agree on (after <see cref="EnsembleOptions.Normalize"/>) wins, ties broken by total weight, then member order.</summary>
    Vote,

    /// <summary>Every member at once; one success is drawn in proportion to its member's weight.</summary>
    Weighted,

    /// <summary>One member after the other, cheapest first (member order): the first answer the <see cref="EnsembleOptions.Validator"/> accepts wins.</summary>
    Cascade,
}
