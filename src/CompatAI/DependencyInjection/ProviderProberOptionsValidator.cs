using Microsoft.Extensions.Options;

namespace CompatAI;

/// <summary>Checks <c>CompatAI:Routing:Probes</c> at startup; every error names the key to fix.</summary>
internal sealed class ProviderProberOptionsValidator : IValidateOptions<ProviderProberOptions>
{
    /// <summary>The section the options are bound from.</summary>
    public const string SectionName = CompatRoutingConfiguration.SectionName + ":Probes";

    public ValidateOptionsResult Validate(string? name, ProviderProberOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Errors(SectionName + ":").ToList();
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
