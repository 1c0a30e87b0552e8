using System.Runtime.CompilerServices;
using System.Text;
using CompatAI;

namespace CompatAI.Tests.Catalog;

/// <summary>
/// The provider tables of <c>src/CompatAI/Catalog/README.md</c> are generated from the catalog data: this test renders
/// them and compares; with <c>COMPATAI_APPROVE=1</c> it rewrites the README's generated section instead.
/// </summary>
public sealed class ProvidersReadmeTests
{
    private const string Start = "<!-- generated:providers -->";
    private const string End = "<!-- /generated:providers -->";

    [Fact]
    public void Providers_readme_tables_are_generated_from_the_catalog()
    {
        var path = ReadmePath();
        var readme = File.ReadAllText(path).ReplaceLineEndings("\n");
        int start = readme.IndexOf(Start, StringComparison.Ordinal);
        int end = readme.IndexOf(End, StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, $"{path} has no {Start} ... {End} section.");

        var expected = Render(ProviderCatalog.Default);
        var actual = readme[(start + Start.Length + 1)..end];
        if (actual == expected)
        {
            return;
        }

        if (Environment.GetEnvironmentVariable("COMPATAI_APPROVE") == "1")
        {
            File.WriteAllText(path, readme[..(start + Start.Length + 1)] + expected + readme[end..]);
            return;
        }

        Assert.Fail($"The generated section of {path} is out of date. Run the tests with COMPATAI_APPROVE=1 and review the diff.\n--- expected\n{expected}");
    }

    internal static string Render(ProviderCatalog catalog)
    {
        var text = new StringBuilder();
        text.Append("| Name | Display name | Aliases | Base URL | Auth | Key variable | Notable quirks |\n|---|---|---|---|---|---|---|\n");
        foreach (var p in catalog.Profiles)
        {
            string aliases = p.Aliases.Count == 0 ? "—" : string.Join(", ", p.Aliases.Select(a => $"`{a}`"));
            string url = p.BaseUrl is { } b ? $"`{b.OriginalString}`"
                : p.EndpointTemplate is { } t ? $"`{t}` (fill in, pass as Endpoint)"
                : "— (pass an Endpoint)";
            string auth = p.AuthStyle switch
            {
                ProviderAuthStyle.None => "None",
                ProviderAuthStyle.ApiKey => "`api-key` header",
                ProviderAuthStyle.XApiKey => "`x-api-key` header",
                ProviderAuthStyle.Header => $"`{p.AuthHeaderName}` header",
                _ => "Bearer",
            } + (!p.RequiresApiKey && p.AuthStyle != ProviderAuthStyle.None ? ", key optional" : string.Empty);
            string key = p.ApiKeyEnvironmentVariable is { } v ? $"`{v}`" : "—";
            text.Append($"| `{p.Name}` | {p.DisplayName} | {aliases} | {url} | {auth} | {key} | {Quirks(p)} |\n");
        }

        text.Append("\n### Model lifecycles\n\n");
        text.Append("`verified` is the date a profile's facts were last checked against its sources (— when never since lifecycles were\n");
        text.Append("recorded); `eng/catalog-freshness.mjs` lists those older than 120 days.\n\n");
        text.Append("| Provider | Verified | Model | Status | Shutdown | Replacement | Notes |\n|---|---|---|---|---|---|---|\n");
        foreach (var p in catalog.Profiles.Where(p => p.Models.Count > 0 || p.Verified is not null))
        {
            string verified = p.Verified?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "—";
            if (p.Models.Count == 0)
            {
                text.Append($"| {p.Name} | {verified} | — | — | — | — | — |\n");
            }

            foreach (var m in p.Models)
            {
                string shutdown = m.Shutdown?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "—";
                string replacement = m.Replacement is { } r ? $"`{r}`" : "—";
                text.Append($"| {p.Name} | {verified} | `{m.Id}` | {m.Status} | {shutdown} | {replacement} | {Cell(m.Notes ?? "—")} |\n");
            }
        }

        return text.ToString();
    }

    private static string Quirks(ProviderProfile p)
    {
        if (p.RetiredMessage is { } retired)
        {
            return "**retired**: " + Cell(retired);
        }

        var parts = new List<string>();
        if (p.ForceHttp11)
        {
            parts.Add("HTTP/1.1 only");
        }

        if (p.Headers.Count > 0)
        {
            parts.Add("sends " + string.Join(", ", p.Headers.Keys.Select(h => $"`{h}`")));
        }

        parts.AddRange(Summary(p.Quirks));
        // Rules shared by every provider (copied into each profile) are left out: they are described above the table.
        foreach (var rule in p.ModelRules)
        {
            var summary = Summary(rule.Quirks);
            if (summary.Count > 0)
            {
                parts.Add($"models `{Cell(rule.ModelPattern)}`: " + string.Join("; ", summary));
            }
        }

        return parts.Count == 0 ? "as OpenAI" : string.Join("; ", parts);
    }

    private static List<string> Summary(ProviderQuirks q)
    {
        var parts = new List<string>();
        if (q.MaxTokensParameter is { } max)
        {
            parts.Add($"`{max}`");
        }

        if (q.UnsupportedParameters is { Count: > 0 } unsupported)
        {
            parts.Add("rejects " + string.Join(", ", unsupported.Select(u => $"`{u}`")));
        }

        if (q.RenamedParameters is { Count: > 0 } renamed)
        {
            parts.AddRange(renamed.Select(r => $"`{r.Key}`→`{r.Value}`"));
        }

        if (q.MinTemperature is { } minT)
        {
            parts.Add($"temperature ≥ {minT.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (q.MaxTemperature is { } maxT)
        {
            parts.Add($"temperature ≤ {maxT.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
        }

        if (q.MaxChoices is { } n)
        {
            parts.Add($"n ≤ {n}");
        }

        if (q.MaxStopSequences is { } stops)
        {
            parts.Add($"≤ {stops} stop sequences");
        }

        if (q.SystemRole is { } system && system != SystemRoleSupport.Supported)
        {
            parts.Add($"system: {system}");
        }

        if (q.DeveloperRole == DeveloperRoleSupport.MapToSystem)
        {
            parts.Add("developer→system");
        }

        if (q.RequiresAlternatingRoles == true)
        {
            parts.Add("alternating roles");
        }

        if (q.SupportsMessageName == false)
        {
            parts.Add("no `name`");
        }

        if (q.ReasoningFields is { Count: > 0 } fields)
        {
            parts.Add("reasoning in " + string.Join("/", fields.Select(f => $"`{f}`")));
        }

        if (q.ReasoningTags is { Count: > 0 } tags)
        {
            parts.Add(string.Join("/", tags.Select(t => $"`<{t}>`")) + " in content");
        }

        if (q.ReasoningReplay is { } replay && replay != ReasoningReplay.None)
        {
            parts.Add($"reasoning replay {replay}" + (q.ReasoningReplayField is { } field ? $" (`{field}`)" : string.Empty));
        }

        if (q.SupportsJsonSchema == false)
        {
            parts.Add("no json_schema");
        }

        if (q.SupportsJsonMode == false)
        {
            parts.Add("no JSON mode");
        }

        if (q.SupportsJsonModeWithTools == false)
        {
            parts.Add("no JSON mode with tools");
        }

        if (q.SupportedToolChoiceValues is { } choices)
        {
            parts.Add("tool_choice only " + string.Join("/", choices));
        }

        if (q.ToolChoiceValues is { Count: > 0 } spelled)
        {
            parts.AddRange(spelled.Select(c => $"tool_choice `{c.Key}`→`{c.Value}`"));
        }

        if (q.SupportsNamedToolChoice == false)
        {
            parts.Add("no named tool_choice");
        }

        if (q.ToolCallIdFormat is { } ids && ids != ToolCallIdFormat.Any)
        {
            parts.Add($"tool-call ids {ids}");
        }

        if (q.ToolCallContent is { } content && content != ToolCallContentStyle.Null)
        {
            parts.Add($"tool-call content {content}");
        }

        if (q.CitationFields is { Count: > 0 } citations)
        {
            parts.Add("citations: " + string.Join(", ", citations.Select(c => $"`{c}`")));
        }

        if (q.UsageFields is { Count: > 0 } usage)
        {
            parts.Add("usage: " + string.Join(", ", usage.Select(u => $"`{u}`")));
        }

        if (q.ReportsContentFilterResults == true)
        {
            parts.Add("content-filter results");
        }

        if (q.CachedInputTokensField is { } cached)
        {
            parts.Add($"cached input from `{cached}`");
        }

        return parts;
    }

    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    private static string ReadmePath([CallerFilePath] string callerFile = "")
    {
        var directory = Path.GetDirectoryName(callerFile);
        while (directory is not null && !File.Exists(Path.Combine(directory, "CompatAI.sln")))
        {
            directory = Path.GetDirectoryName(directory);
        }

        return Path.Combine(directory ?? throw new InvalidOperationException("Cannot find the repository root."), "src", "CompatAI", "Catalog", "README.md");
    }
}
