namespace CompatAI;

/// <summary>The state of a provider's circuit breaker in a <see cref="RouterChatClient"/>.</summary>
public enum ProviderBreakerState
{
    /// <summary>Calls go through.</summary>
    Closed,

    /// <summary>Calls are refused (the provider is skipped) until the break ends.</summary>
    Open,

    /// <summary>One probe call is let through to decide.</summary>
    HalfOpen,

    /// <summary>The circuit breaker is turned off.</summary>
    Disabled,
}
