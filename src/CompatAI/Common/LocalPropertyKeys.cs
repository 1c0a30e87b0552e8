namespace CompatAI;

/// <summary>
/// <see cref="Microsoft.Extensions.AI.ChatOptions.AdditionalProperties"/> keys that CompatAI's own middleware reads (for
/// example <see cref="BudgetingChatClient.KeyProperty"/>): they start with <c>compatai.</c> and are never sent to a
/// provider as extra body fields, wherever in the pipeline they were set.
/// </summary>
internal static class LocalPropertyKeys
{
    /// <summary>The prefix of every local key.</summary>
    public const string Prefix = "compatai.";

    /// <summary>Returns whether <paramref name="key"/> is one of CompatAI's local keys.</summary>
    public static bool IsLocal(string key) => key.StartsWith(Prefix, StringComparison.Ordinal);
}
