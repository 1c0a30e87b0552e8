using System.CommandLine;

namespace CompatAI.Cli;

/// <summary>The options shared by the commands that talk to one provider.</summary>
internal sealed class CommonOptions
{
    public Option<string?> Provider { get; } = new("--provider", "-p")
    {
        Description = "Catalog provider name or alias (groq, deepseek, ...), or the name of a CompatAI:Providers:<name> entry in the configuration.",
    };

    public Option<Uri?> Endpoint { get; } = new("--endpoint", "-e")
    {
        Description = "Base URL of the OpenAI-compatible API (the part before /chat/completions); overrides the configured one.",
        CustomParser = ParseUrl,
    };

    public Option<string?> Model { get; } = new("--model", "-m") { Description = "Model id; defaults to the configured or the catalog's default model." };

    public Option<string?> ApiKey { get; } = new("--api-key")
    {
        Description = "API key (prefer the configuration or the provider's environment variable: a key on the command line ends up in shell history).",
    };

    public Option<FileInfo?> Config { get; } = new("--config", "-c")
    {
        Description = "JSON configuration file with a CompatAI section (the keys AddCompatChatClient reads); environment variables (CompatAI__Providers__...) are read too.",
    };

    public Option<bool> Json { get; } = new("--json") { Description = "Write JSON instead of text." };

    /// <summary>Parses an absolute http(s) URL, or reports an error naming the value.</summary>
    public static Uri? ParseUrl(System.CommandLine.Parsing.ArgumentResult result)
    {
        var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
        if (Uri.TryCreate(text, UriKind.Absolute, out var url) && (url.Scheme == Uri.UriSchemeHttp || url.Scheme == Uri.UriSchemeHttps))
        {
            return url;
        }

        result.AddError($"'{text}' is not an absolute http:// or https:// URL.");
        return null;
    }

    public void AddTo(Command command)
    {
        command.Add(Provider);
        command.Add(Endpoint);
        command.Add(Model);
        command.Add(ApiKey);
        command.Add(Config);
        command.Add(Json);
    }

    public ConnectionRequest Read(ParseResult result) => new(
        result.GetValue(Provider), result.GetValue(Endpoint), result.GetValue(Model), result.GetValue(ApiKey), result.GetValue(Config)?.FullName);
}
