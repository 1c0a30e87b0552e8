using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>What a request needs of the candidate that serves it, as a <see cref="RouterChatClient"/> read it.</summary>
public sealed class RouteRequirements
{
    // One encoding for every candidate: the estimate ranks and filters, it does not bill (o200k_base, as for current OpenAI models).
    private static readonly TokenCounter s_counter = TokenCounter.ForModel("gpt-4o");

    /// <summary>Gets whether the request defines tools.</summary>
    public bool Tools { get; init; }

    /// <summary>Gets whether a message carries an image.</summary>
    public bool Vision { get; init; }

    /// <summary>Gets whether the request asks for a JSON schema response format.</summary>
    public bool JsonSchema { get; init; }

    /// <summary>Gets whether the request asks for JSON (with or without schema).</summary>
    public bool Json { get; init; }

    /// <summary>Gets whether the request asks for a reasoning effort other than none.</summary>
    public bool Reasoning { get; init; }

    /// <summary>Gets the estimated prompt tokens (counted with <see cref="TokenCounter"/> in <c>o200k_base</c>).</summary>
    public int PromptTokens { get; init; }

    /// <summary>Gets the output tokens expected: <c>MaxOutputTokens</c>, else <see cref="RouterOptions.ExpectedOutputTokens"/>.</summary>
    public int ExpectedOutputTokens { get; init; }

    /// <summary>Gets the model the request names, if any: only candidates of that model are considered.</summary>
    public string? Model { get; init; }

    internal static RouteRequirements Read(IEnumerable<ChatMessage> messages, ChatOptions? options, RouterOptions routerOptions)
    {
        bool vision = false;
        foreach (var message in messages)
        {
            foreach (var content in message.Contents)
            {
                if (content is DataContent data && data.HasTopLevelMediaType("image") || content is UriContent uri && uri.HasTopLevelMediaType("image"))
                {
                    vision = true;
                }
            }
        }

        var format = options?.ResponseFormat as ChatResponseFormatJson;
        return new RouteRequirements
        {
            Tools = options?.Tools is { Count: > 0 },
            Vision = vision,
            Json = format is not null,
            JsonSchema = format?.Schema is not null,
            Reasoning = options?.Reasoning?.Effort is { } effort && effort != ReasoningEffort.None,
            PromptTokens = s_counter.CountChat(messages, options).Tokens,
            ExpectedOutputTokens = options?.MaxOutputTokens ?? routerOptions.ExpectedOutputTokens,
            Model = options?.ModelId,
        };
    }
}
