using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CompatAI;

/// <summary>The metrics the middleware publishes on the <c>CompatAI</c> meter.</summary>
internal static class MiddlewareTelemetry
{
    /// <summary>The meter name to listen to (for example with OpenTelemetry's <c>AddMeter("CompatAI")</c>).</summary>
    public const string MeterName = "CompatAI";

    private static readonly Meter s_meter = new(MeterName);

    /// <summary>Counts request changes made by the parameter sanitizer, tagged with provider, parameter and action.</summary>
    public static readonly Counter<long> SanitizerChanges = s_meter.CreateCounter<long>("compatai.sanitizer.changes", description: "Request parameters dropped, renamed or rewritten for a provider.");

    /// <summary>Counts attempts of fallback chains, tagged with provider and outcome (<c>success</c> or the error kind).</summary>
    public static readonly Counter<long> FallbackAttempts = s_meter.CreateCounter<long>("compatai.fallback.attempts", description: "Attempts made by fallback chains, by provider and outcome.");

    public static void SanitizerChange(string provider, string parameter, string action) =>
        SanitizerChanges.Add(1, new TagList { { "compatai.provider", provider }, { "compatai.parameter", parameter }, { "compatai.action", action } });

    public static void FallbackAttempt(string provider, string outcome) =>
        FallbackAttempts.Add(1, new TagList { { "compatai.provider", provider }, { "compatai.outcome", outcome } });
}
