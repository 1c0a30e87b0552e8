using CompatAI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace CompatAI;

/// <summary>Checks the <c>CompatAI</c> section at startup; every error names the configuration key to fix. Secrets never appear in messages.</summary>
internal sealed class CompatAIConfigurationValidator(CompatRegistrations registrations, IConfiguration configuration) : IValidateOptions<CompatAIConfiguration>
{
    public ValidateOptionsResult Validate(string? name, CompatAIConfiguration options)
    {
        var errors = new List<string>();
        ProviderCatalog catalog;
        try
        {
            catalog = CompatAIConfiguration.CatalogFrom(configuration);
        }
        catch (InvalidOperationException ex)
        {
            return ValidateOptionsResult.Fail(ex.Message);
        }

        foreach (var (key, provider) in options.Providers)
        {
            string prefix = $"{CompatAIConfiguration.SectionName}:Providers:{key}";
            string providerName = provider.Provider ?? key;
            if (!catalog.TryGet(providerName, out var profile))
            {
                errors.Add($"{prefix}:Provider: '{providerName}' is not a known provider. Known providers: {string.Join(", ", catalog.Profiles.Select(static p => p.Name))}.");
                continue;
            }

            if (profile.RetiredMessage is { } retired)
            {
                errors.Add($"{prefix}:Provider: '{profile.Name}' is retired: {retired}");
            }

            if (provider.Endpoint is null && profile.BaseUrl is null)
            {
                errors.Add($"{prefix}:Endpoint is required: provider '{profile.Name}' has no default URL.");
            }
            else if (provider.Endpoint is { IsAbsoluteUri: false })
            {
                errors.Add($"{prefix}:Endpoint must be an absolute URL.");
            }

            if (string.IsNullOrWhiteSpace(provider.Model) && profile.DefaultModel is null)
            {
                errors.Add($"{prefix}:Model is required: provider '{profile.Name}' has no default model.");
            }

            if (string.IsNullOrEmpty(provider.ApiKey) && profile.RequiresApiKey && profile.AuthStyle != ProviderAuthStyle.None
                && (profile.ApiKeyEnvironmentVariable is null || string.IsNullOrEmpty(Environment.GetEnvironmentVariable(profile.ApiKeyEnvironmentVariable))))
            {
                errors.Add($"{prefix}:ApiKey is required for provider '{profile.Name}'{(profile.ApiKeyEnvironmentVariable is { } env ? $" (or set the {env} environment variable)" : string.Empty)}.");
            }

            if (provider.Timeout is { } timeout && timeout <= TimeSpan.Zero)
            {
                errors.Add($"{prefix}:Timeout must be positive.");
            }

            try
            {
                provider.Retry.Validate();
            }
            catch (ArgumentException ex)
            {
                errors.Add($"{prefix}:Retry: {ex.Message}");
            }

            if (provider.Reasoning.TagNames is { } tags && tags.Any(static t => string.IsNullOrWhiteSpace(t) || t.AsSpan().IndexOfAny("<>/ ") >= 0))
            {
                errors.Add($"{prefix}:Reasoning:TagNames must be bare tag names such as 'think'.");
            }
        }

        for (int i = 0; i < options.Fallback.Count; i++)
        {
            if (!options.Providers.ContainsKey(options.Fallback[i]))
            {
                errors.Add($"{CompatAIConfiguration.SectionName}:Fallback:{i}: '{options.Fallback[i]}' is not configured under {CompatAIConfiguration.SectionName}:Providers.");
            }
        }

        try
        {
            options.FallbackOptions.Validate();
        }
        catch (ArgumentException ex)
        {
            errors.Add($"{CompatAIConfiguration.SectionName}:FallbackOptions: {ex.Message}");
        }

        foreach (var requested in registrations.RequestedProviders)
        {
            if (requested is null)
            {
                if (options.Fallback.Count == 0 && options.Providers.Count != 1)
                {
                    errors.Add($"{CompatAIConfiguration.SectionName}:Fallback is empty and {CompatAIConfiguration.SectionName}:Providers has {options.Providers.Count} entries: list the providers to use under {CompatAIConfiguration.SectionName}:Fallback, or name one in AddCompatChatClient.");
                }
            }
            else if (!options.Providers.ContainsKey(requested))
            {
                errors.Add($"{CompatAIConfiguration.SectionName}:Providers:{requested} is missing; AddCompatChatClient(\"{requested}\") reads the provider from there.");
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>The provider names that registered clients read from configuration (<see langword="null"/>: the fallback chain or the only provider).</summary>
internal sealed class CompatRegistrations
{
    public List<string?> RequestedProviders { get; } = [];
}
