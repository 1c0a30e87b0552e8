using System.Text.Json.Nodes;
using CompatAI.Emulator;

namespace CompatAI.Cli.Tests;

/// <summary>
/// Emulators on loopback shared by the CLI tests: <see cref="Open"/> needs no key, <see cref="Keyed"/> needs
/// <see cref="Key"/> in any header style, <see cref="XApiKeyOnly"/> accepts it only as <c>x-api-key</c>. All of them
/// answer 404 to paths without <c>/v1</c>, as real services do.
/// </summary>
public sealed class CliFixture : IAsyncLifetime
{
    public const string Key = "cli-test-key";

    public ProviderEmulator Open { get; private set; } = null!;

    public ProviderEmulator Keyed { get; private set; } = null!;

    public ProviderEmulator XApiKeyOnly { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Open = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequireVersionPrefix = true });
        Keyed = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequireVersionPrefix = true, RequiredApiKey = Key });
        XApiKeyOnly = await ProviderEmulator.StartAsync(new ProviderEmulatorOptions { RequireVersionPrefix = true, RequiredApiKey = Key, RequiredApiKeyHeader = "x-api-key" });
    }

    public async Task DisposeAsync()
    {
        await Open.DisposeAsync();
        await Keyed.DisposeAsync();
        await XApiKeyOnly.DisposeAsync();
    }
}

[CollectionDefinition(Name)]
public sealed class CliCollection : ICollectionFixture<CliFixture>
{
    public const string Name = "CLI emulators";
}

/// <summary>Runs the CLI in-process and writes configuration files.</summary>
internal static class Cli
{
    public static async Task<CliRun> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await CliApp.RunAsync(args, output, error);
        return new CliRun(exit, output.ToString(), error.ToString());
    }

    /// <summary>Writes <paramref name="compatAI"/> as the <c>CompatAI</c> section of a new appsettings file.</summary>
    public static string WriteConfig(JsonObject compatAI)
    {
        var directory = Path.Combine(Path.GetTempPath(), "compatai-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "appsettings.json");
        File.WriteAllText(path, new JsonObject { ["CompatAI"] = compatAI }.ToJsonString());
        return path;
    }

    /// <summary>A config with one provider entry.</summary>
    public static string ProviderConfig(string name, Uri endpoint, string? model, string? apiKey = CliFixture.Key, JsonObject? profiles = null)
    {
        var entry = new JsonObject { ["Provider"] = name, ["Endpoint"] = endpoint.AbsoluteUri };
        if (model is not null)
        {
            entry["Model"] = model;
        }

        if (apiKey is not null)
        {
            entry["ApiKey"] = apiKey;
        }

        var section = new JsonObject { ["Providers"] = new JsonObject { [name] = entry } };
        if (profiles is not null)
        {
            section["Profiles"] = profiles;
        }

        return WriteConfig(section);
    }

    /// <summary>Keeps the plain-text output of a run beside the test binaries (doctor-output/*.txt) for the README's troubleshooting section.</summary>
    public static void Keep(string name, CliRun run)
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "doctor-output");
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, name + ".txt"), run.Output);
    }
}

/// <summary>The outcome of one in-process CLI run.</summary>
internal sealed record CliRun(int ExitCode, string Output, string Error)
{
    public JsonObject Json => JsonNode.Parse(Output)?.AsObject() ?? throw new InvalidOperationException("The CLI wrote no JSON: " + Output + Error);

    public JsonObject Check(string name) =>
        Json["checks"]!.AsArray().Select(c => c!.AsObject()).SingleOrDefault(c => (string?)c["name"] == name)
        ?? throw new InvalidOperationException($"No check '{name}' in: {Output}");
}
