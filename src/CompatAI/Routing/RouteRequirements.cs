using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>What a request needs of the candidate that serves it, as a <see cref="RouterChatClient"/> read it.</summary>
public sealed class RouteRequirements
{
    // The request this was read from, for a prompt count made only when PromptTokens is first read.
    private readonly IEnumerable<ChatMessage>? _messages;
    private readonly ChatOptions? _chatOptions;
    private int _promptTokens;

    /// <summary>Creates requirements with the values given (for example to test a <see cref="RouterOptions.CustomScore"/> delegate).</summary>
    public RouteRequirements()
    {
    }

    internal RouteRequirements(in RouteNeeds needs, int promptTokens)
    {
        _messages = needs.Messages;
        _chatOptions = needs.Options;
        _promptTokens = promptTokens;
        Tools = needs.Tools;
        Vision = needs.Vision;
        Json = needs.Json;
        JsonSchema = needs.JsonSchema;
        Reasoning = needs.Reasoning;
        ExpectedOutputTokens = needs.ExpectedOutputTokens;
        Model = needs.Model;
    }

    /// <summary>One encoding for every candidate: the estimate ranks and filters, it does not bill (o200k_base, as for current OpenAI models).</summary>
    internal static TokenCounter Counter { get; } = TokenCounter.ForModel("gpt-4o");

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

    /// <summary>
    /// Gets the prompt's tokens, counted with <see cref="TokenCounter"/> in <c>o200k_base</c> (exact for OpenAI models,
    /// an estimate for others). A router tokenizes the prompt only when a candidate's context window is smaller than the
    /// prompt's UTF-8 size plus the expected output (a token covers at least one byte, so the size bounds the count);
    /// otherwise the count is made when this property is first read. Costs are estimated from the prompt's size instead
    /// (see <see cref="RoutingStrategy.Cost"/>).
    /// </summary>
    public int PromptTokens
    {
        get
        {
            // A count made on first read: concurrent readers may both count, and both write the same value.
            if (_promptTokens < 0 && _messages is not null)
            {
                _promptTokens = Counter.CountChat(_messages, _chatOptions).Tokens;
            }

            return _promptTokens;
        }

        init => _promptTokens = value;
    }

    /// <summary>Gets the output tokens expected: <c>MaxOutputTokens</c>, else <see cref="RouterOptions.ExpectedOutputTokens"/>.</summary>
    public int ExpectedOutputTokens { get; init; }

    /// <summary>Gets the model the request names, if any: only candidates of that model are considered.</summary>
    public string? Model { get; init; }
}
