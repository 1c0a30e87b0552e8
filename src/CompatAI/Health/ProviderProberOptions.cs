using Microsoft.Extensions.Logging;

namespace CompatAI;

/// <summary>
/// Configures <see cref="ProviderProber"/>. <c>AddCompatRouterChatClient</c> binds <see cref="Interval"/>,
/// <see cref="Jitter"/> and <see cref="Timeout"/> from <c>CompatAI:Routing:Probes</c> and checks them at startup; the
/// clock is the <see cref="System.TimeProvider"/> registered in the services, if any.
/// </summary>
public sealed class ProviderProberOptions
{
    /// <summary>Gets or sets the time between two probe rounds. Default: 30 seconds.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the random spread of <see cref="Interval"/>, as a share of it (0 to 1): each wait is <c>Interval x (1 ± Jitter)</c>. Default: 0.2.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>Gets or sets the time one probe may take before it counts as failed (measured on <see cref="TimeProvider"/>). Default: 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the clock of the rounds and of <see cref="Timeout"/>. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the random source of the jitter. Default: <see cref="System.Random.Shared"/>.</summary>
    public Random Random { get; set; } = Random.Shared;

    /// <summary>Gets or sets the logger factory: a probe that starts failing is logged as a warning, a recovery as information. Default: none.</summary>
    public ILoggerFactory? LoggerFactory { get; set; }

    internal void Validate()
    {
        if (Errors(nameof(ProviderProberOptions) + ".").FirstOrDefault() is { } error)
        {
            throw new ArgumentException(error);
        }
    }

    /// <summary>Returns what is wrong, each message starting with <paramref name="prefix"/> and the property's name.</summary>
    internal IEnumerable<string> Errors(string prefix)
    {
        if (Interval <= TimeSpan.Zero)
        {
            yield return $"{prefix}Interval must be positive (for example 00:00:30), not {Interval}.";
        }

        if (Timeout <= TimeSpan.Zero)
        {
            yield return $"{prefix}Timeout must be positive (for example 00:00:10), not {Timeout}.";
        }

        if (Jitter is < 0 or > 1 || double.IsNaN(Jitter))
        {
            yield return $"{prefix}Jitter must be between 0 and 1 (a share of the interval), not {Jitter.ToString(System.Globalization.CultureInfo.InvariantCulture)}.";
        }

        if (TimeProvider is null)
        {
            yield return $"{prefix}TimeProvider must not be null.";
        }

        if (Random is null)
        {
            yield return $"{prefix}Random must not be null.";
        }
    }
}
