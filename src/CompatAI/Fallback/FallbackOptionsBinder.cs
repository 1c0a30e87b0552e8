using Microsoft.Extensions.Configuration;

namespace CompatAI;

/// <summary>
/// Reads configuration (<c>CompatAI:FallbackOptions</c>, <c>CompatAI:Routing:Failover</c>) into a <see cref="FallbackOptions"/>.
/// Only the settings are bound, through a dedicated type (<see cref="Settings"/>): <see cref="FallbackOptions.TimeProvider"/>
/// and <see cref="FallbackOptions.StateStore"/> are service objects set in code, and binding the whole options type would
/// make the configuration binding source generator (on under Native AOT) report SYSLIB1100/SYSLIB1101 for them.
/// Naming them in configuration is an error.
/// </summary>
internal static class FallbackOptionsBinder
{
    public static void Bind(IConfiguration section, FallbackOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        RejectServiceKeys(section);
        var settings = Settings.From(options);
        section.Bind(settings);
        settings.ApplyTo(options);
    }

    /// <summary>Throws when configuration names one of the service properties.</summary>
    public static void RejectServiceKeys(IConfiguration section) =>
        ServiceKeys.Reject(section, nameof(FallbackOptions.TimeProvider), nameof(FallbackOptions.StateStore));

    /// <summary>The part of <see cref="FallbackOptions"/> that configuration sets.</summary>
    internal sealed class Settings
    {
        public bool FallOverOnContextLength { get; set; }

        public TimeSpan? AttemptTimeout { get; set; }

        public bool RequireFinishReason { get; set; }

        public FallbackCircuitBreakerOptions CircuitBreaker { get; set; } = new();

        public static Settings From(FallbackOptions options) => new()
        {
            FallOverOnContextLength = options.FallOverOnContextLength,
            AttemptTimeout = options.AttemptTimeout,
            RequireFinishReason = options.RequireFinishReason,
            CircuitBreaker = options.CircuitBreaker,
        };

        public void ApplyTo(FallbackOptions options)
        {
            options.FallOverOnContextLength = FallOverOnContextLength;
            options.AttemptTimeout = AttemptTimeout;
            options.RequireFinishReason = RequireFinishReason;
            options.CircuitBreaker = CircuitBreaker;
        }
    }
}
