namespace CompatAI;

/// <summary>Whether and where a provider accepts messages with the <c>system</c> role.</summary>
public enum SystemRoleSupport
{
    /// <summary>System messages are accepted anywhere.</summary>
    Supported,

    /// <summary>At most one system message is accepted, and only as the first message.</summary>
    FirstOnly,

    /// <summary>The system role is rejected; instructions must travel in the first user message.</summary>
    Unsupported,
}

/// <summary>How a provider treats the <c>developer</c> role.</summary>
public enum DeveloperRoleSupport
{
    /// <summary>The <c>developer</c> role is accepted.</summary>
    Supported,

    /// <summary>The <c>developer</c> role is rejected and must be sent as <c>system</c>.</summary>
    MapToSystem,
}

/// <summary>What a provider wants done with reasoning on assistant messages sent back in the history.</summary>
public enum ReasoningReplay
{
    /// <summary>Reasoning is not sent back (the OpenAI behaviour); providers ignore it either way.</summary>
    None,

    /// <summary>Reasoning must be sent back on assistant messages that made tool calls (DeepSeek thinking mode, Kimi).</summary>
    Required,

    /// <summary>Reasoning on input messages is an error and must be stripped (DeepSeek R1).</summary>
    Rejected,
}

/// <summary>The tool-call id format a provider accepts on input.</summary>
public enum ToolCallIdFormat
{
    /// <summary>Any string id is accepted.</summary>
    Any,

    /// <summary>Exactly nine characters from <c>[a-zA-Z0-9]</c> (Mistral).</summary>
    Alphanumeric9,
}

/// <summary>What the <c>content</c> of an assistant message that only carries tool calls must be.</summary>
public enum ToolCallContentStyle
{
    /// <summary><c>"content": null</c> (the OpenAI default).</summary>
    Null,

    /// <summary><c>"content": ""</c>.</summary>
    EmptyString,

    /// <summary>No <c>content</c> key at all.</summary>
    Omit,
}
