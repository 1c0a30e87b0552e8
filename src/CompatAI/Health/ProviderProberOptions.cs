namespace CompatAI;

/// <summary>Configures <see cref="ProviderProber"/>.</summary>
public sealed class ProviderProberOptions
{
    /// <summary>Gets or sets the time between two probe rounds. Default: 30 seconds.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets the random spread of <see cref="Interval"/>, as a share of it (0 to 1): each wait is <c>Interval x (1 ± Jitter)</c>. Default: 0.2.</summary>
    public double Jitter { get; set; } = 0.2;

    /// <summary>Gets or sets the time one probe may take before it counts as failed. Default: 10 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets or sets the clock of the rounds. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Gets or sets the random source of the jitter. Default: <see cref="System.Random.Shared"/>.</summary>
    public Random Random { get; set; } = Random.Shared;

    internal void Validate()
    {
        if (Interval <= TimeSpan.Zero || Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(Interval), "ProviderProberOptions.Interval and Timeout must be positive.");
        }

        if (Jitter is < 0 or > 1 || double.IsNaN(Jitter))
        {
            throw new ArgumentOutOfRangeException(nameof(Jitter), Jitter, "ProviderProberOptions.Jitter must be between 0 and 1.");
        }

        ArgumentNullException.ThrowIfNull(TimeProvider, nameof(TimeProvider));
        ArgumentNullException.ThrowIfNull(Random, nameof(Random));
    }
}
