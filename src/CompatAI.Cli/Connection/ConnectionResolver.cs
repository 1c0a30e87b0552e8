using Microsoft.Extensions.Configuration;

namespace CompatAI.Cli;

/// <summary>Reads the configuration the way the DI setup does and resolves the provider, endpoint, key and model.</summary>
internal static class ConnectionResolver
{
    private const string CustomProvider = "custom";

    public static ConnectionSettings Resolve(ConnectionRequest request)
    {
        IConfiguration configuration;
        try
        {
            var builder = new ConfigurationBuilder();
            if (request.ConfigPath is { } path)
            {
                if (!File.Exists(path))
                {
                    return Broken(request, $"The configuration file '{path}' does not exist.", "Pass the path of your appsettings.json with --config.");
                }

                builder.AddJsonFile(path, optional: false, reloadOnChange: false);
            }

            builder.AddEnvironmentVariables();
            configuration = builder.Build();
        }
        catch (InvalidDataException ex)
        {
            return Broken(request, $"The configuration file cannot be read: {ex.InnerException?.Message ?? ex.Message}", "Fix the JSON syntax of the file.");
        }

        ProviderCatalog catalog;
        try
        {
            var profiles = configuration.GetSection(CompatAIConfiguration.SectionName + ":Profiles");
            catalog = profiles.Exists() ? ProviderCatalog.Default.WithOverrides(profiles) : ProviderCatalog.Default;
        }
        catch (InvalidOperationException ex)
        {
            return Broken(request, ex.Message, "Correct or remove the CompatAI:Profiles key named in the message.");
        }

        var providers = configuration.GetSection(CompatAIConfiguration.SectionName + ":Providers");
        var name = request.Provider
                   ?? (request.Endpoint is not null ? CustomProvider : providers.GetChildren().FirstOrDefault()?.Key);
        if (name is null)
        {
            return Broken(request, "No provider given and the configuration has no CompatAI:Providers entry.", "Pass --provider <name> (for example groq) or --endpoint <url>.");
        }

        var section = providers.GetSection(name);
        var entry = new CompatProviderConfiguration();
        if (section.Exists())
        {
            try
            {
                section.Bind(entry, o => o.ErrorOnUnknownConfiguration = true);
            }
            catch (InvalidOperationException ex)
            {
                return Broken(request, $"{section.Path} cannot be read: {ex.Message}", $"Correct the key under {section.Path} named in the message.", name);
            }
        }

        var options = entry.ToClientOptions(name, catalog);
        if (request.Endpoint is not null)
        {
            options.Endpoint = request.Endpoint;
        }

        if (request.Model is not null)
        {
            options.Model = request.Model;
        }

        if (!catalog.TryGet(options.Provider, out var profile))
        {
            var known = string.Join(", ", catalog.Profiles.Select(p => p.Name));
            return Broken(request, $"Unknown provider '{options.Provider}'.", $"Use one of: {known}; or 'custom' with --endpoint.", name);
        }

        string? key = request.ApiKey;
        string? keySource = key is null ? null : "--api-key";
        if (key is null && !string.IsNullOrEmpty(options.ApiKey))
        {
            key = options.ApiKey;
            keySource = section.Path + ":ApiKey";
        }

        if (key is null && profile.ApiKeyEnvironmentVariable is { } variable && Environment.GetEnvironmentVariable(variable) is { Length: > 0 } fromEnvironment)
        {
            key = fromEnvironment;
            keySource = variable;
        }

        options.ApiKey = key;
        var endpoint = options.Endpoint ?? profile.BaseUrl;
        var status = section.Exists()
            ? CheckResult.Pass("configuration", $"{section.Path} found (provider '{profile.Name}')")
            : request.ConfigPath is not null
                ? CheckResult.Warn("configuration", $"{Path.GetFileName(request.ConfigPath)} has no {section.Path}; using the catalog profile '{profile.Name}'",
                    $"Add {section.Path} (Provider, Endpoint, ApiKey, Model) so AddCompatChatClient(\"{name}\") finds it.")
                : CheckResult.Pass("configuration", $"no --config; catalog profile '{profile.Name}'{(request.Endpoint is not null ? " with --endpoint" : string.Empty)}");
        return new ConnectionSettings
        {
            Name = name,
            Catalog = catalog,
            Profile = profile,
            ClientOptions = options,
            Endpoint = endpoint,
            ApiKey = key,
            ApiKeySource = keySource,
            Model = options.Model ?? profile.DefaultModel,
            SectionPath = section.Path,
            Configuration = status,
        };
    }

    private static ConnectionSettings Broken(ConnectionRequest request, string detail, string fix, string? name = null) => new()
    {
        Name = name ?? request.Provider ?? CustomProvider,
        Catalog = ProviderCatalog.Default,
        ClientOptions = new CompatChatClientOptions { Provider = name ?? request.Provider ?? CustomProvider, Endpoint = request.Endpoint, Model = request.Model },
        Endpoint = request.Endpoint,
        Model = request.Model,
        SectionPath = $"{CompatAIConfiguration.SectionName}:Providers:{name ?? request.Provider ?? CustomProvider}",
        Configuration = CheckResult.Fail("configuration", detail, fix),
    };
}
