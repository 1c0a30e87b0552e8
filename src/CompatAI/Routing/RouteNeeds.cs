using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// What a request needs of the candidate that serves it, as <see cref="RouterChatClient"/> reads it for one decision
/// without allocating: the flags are read at once, the prompt's size only when a decision asks for it (see
/// <see cref="PromptSize"/>): its UTF-8 bound for a context window, its exact <c>o200k_base</c> count when the bound does
/// not fit a window; a priced candidate's cost is estimated from its size (<see cref="PricedPromptTokens"/>). <see cref="ToRequirements"/> makes the public
/// <see cref="RouteRequirements"/>. A mutable struct: pass it by reference.
/// </summary>
internal struct RouteNeeds
{
    private PromptSize _prompt;

    private RouteNeeds(IEnumerable<ChatMessage> messages, ChatOptions? options, RouterOptions routerOptions)
    {
        Messages = messages;
        Options = options;
        _prompt = new PromptSize(RouteRequirements.Counter, messages, options);
        var format = options?.ResponseFormat as ChatResponseFormatJson;
        Tools = options?.Tools is { Count: > 0 };
        Vision = HasImage(messages);
        Json = format is not null;
        JsonSchema = format?.Schema is not null;
        Reasoning = options?.Reasoning?.Effort is { } effort && effort != ReasoningEffort.None;
        ExpectedOutputTokens = options?.MaxOutputTokens ?? routerOptions.ExpectedOutputTokens;
        Model = options?.ModelId;
    }

    public IEnumerable<ChatMessage> Messages { get; }

    public ChatOptions? Options { get; }

    public bool Tools { get; }

    public bool Vision { get; }

    public bool JsonSchema { get; }

    public bool Json { get; }

    public bool Reasoning { get; }

    public int ExpectedOutputTokens { get; }

    public string? Model { get; }

    /// <summary>Reads the request's flags; nothing of the prompt is measured yet.</summary>
    public static RouteNeeds Read(IEnumerable<ChatMessage> messages, ChatOptions? options, RouterOptions routerOptions) =>
        new(messages, options, routerOptions);

    /// <summary>Returns whether the prompt plus the expected output fits in <paramref name="window"/> (the exact count only when the bound does not fit).</summary>
    public bool Fits(int window) => _prompt.Fits(window, ExpectedOutputTokens);

    /// <summary>
    /// Returns the prompt tokens a cost is estimated with: <see cref="TokenCounter.EstimateChatFromSize"/> (the chat
    /// rule with each text as its UTF-8 bytes / 4, no tokenizer; made once).
    /// </summary>
    public int PricedPromptTokens() => _prompt.GetSizeEstimate();

    /// <summary>Returns the exact prompt count (<c>o200k_base</c>, made once).</summary>
    public int PromptTokens() => _prompt.GetCount().Tokens;

    /// <summary>Returns the public view; its <see cref="RouteRequirements.PromptTokens"/> is the count made here, or made when first read.</summary>
    public readonly RouteRequirements ToRequirements() => new(this, _prompt.CountIfMade);

    private static bool HasImage(IEnumerable<ChatMessage> messages)
    {
        if (messages is IList<ChatMessage> list)
        {
            for (int i = 0; i < list.Count; i++)
            {
                if (HasImage(list[i]))
                {
                    return true;
                }
            }

            return false;
        }

        foreach (var message in messages)
        {
            if (HasImage(message))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasImage(ChatMessage message)
    {
        var contents = message.Contents;
        for (int i = 0; i < contents.Count; i++)
        {
            if (contents[i] is DataContent data && data.HasTopLevelMediaType("image") || contents[i] is UriContent uri && uri.HasTopLevelMediaType("image"))
            {
                return true;
            }
        }

        return false;
    }
}
