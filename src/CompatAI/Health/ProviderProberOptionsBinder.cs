using Microsoft.Extensions.Configuration;

namespace CompatAI;

/// <summary>
/// Reads <c>CompatAI:Routing:Probes</c> into a <see cref="ProviderProberOptions"/>. Only the settings are bound, through a
/// dedicated type (<see cref="Settings"/>): <see cref="ProviderProberOptions.TimeProvider"/>, <see cref="ProviderProberOptions.Random"/>
/// and <see cref="ProviderProberOptions.LoggerFactory"/> are service objects set in code (or taken from the services), and
/// binding the whole options type would make the configuration binding source generator (on under Native AOT) report
/// SYSLIB1100/SYSLIB1101 for them. Naming them in configuration is an error.
/// </summary>
internal static class ProviderProberOptionsBinder
{
    public static void Bind(IConfiguration section, ProviderProberOptions options)
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
        ServiceKeys.Reject(section, nameof(ProviderProberOptions.TimeProvider), nameof(ProviderProberOptions.Random), nameof(ProviderProberOptions.LoggerFactory));

    /// <summary>The part of <see cref="ProviderProberOptions"/> that configuration sets.</summary>
    internal sealed class Settings
    {
        public TimeSpan Interval { get; set; }

        public double Jitter { get; set; }

        public TimeSpan Timeout { get; set; }

        public static Settings From(ProviderProberOptions options) => new() { Interval = options.Interval, Jitter = options.Jitter, Timeout = options.Timeout };

        public void ApplyTo(ProviderProberOptions options)
        {
            options.Interval = Interval;
            options.Jitter = Jitter;
            options.Timeout = Timeout;
        }
    }
}
