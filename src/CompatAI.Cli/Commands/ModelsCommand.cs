using System.CommandLine;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace CompatAI.Cli.Commands;

/// <summary><c>compatai models</c>: the service's live model list beside what the catalog knows about each model.</summary>
internal static class ModelsCommand
{
    public static Command Create(CliContext context)
    {
        var common = new CommonOptions();
        var command = new Command("models", "List the provider's live models (GET /models) beside the catalog's default model, per-model rules and model lifecycles; flags catalog models the provider no longer lists.");
        common.AddTo(command);
        command.SetAction((result, cancellationToken) => RunAsync(context, common.Read(result), result.GetValue(common.Json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ConnectionRequest request, bool json, CancellationToken cancellationToken)
    {
        var settings = ConnectionResolver.Resolve(request);
        if (settings.Profile is not { } profile || settings.Configuration.Status == CheckStatus.Fail)
        {
            await context.Error.WriteLineAsync($"{settings.Configuration.Detail} {settings.Configuration.Fix}");
            return ExitCodes.Usage;
        }

        if (settings.Endpoint is not { } endpoint)
        {
            await context.Error.WriteLineAsync($"Provider '{profile.Name}' has no base URL: pass --endpoint.");
            return ExitCodes.Usage;
        }

        using var http = new EndpointClient(profile.Headers);
        var attempt = await http.GetAsync(endpoint, "models", new Credential(profile.AuthStyle, settings.ApiKey, profile.AuthHeaderName), cancellationToken);
        if (!attempt.IsSuccess || attempt.Json?["data"] is not JsonArray data)
        {
            await context.Error.WriteLineAsync($"GET {DoctorRunner.Redact(attempt.Url)} failed: {attempt.Describe()}. Run 'compatai doctor' to find out why.");
            return ExitCodes.Failure;
        }

        var rows = data.OfType<JsonObject>()
            .Select(m => (Id: (string?)m["id"], OwnedBy: m["owned_by"] is JsonValue o && o.TryGetValue<string>(out var owner) ? owner : null))
            .Where(m => m.Id is not null)
            .Select(m => Describe(profile, m.Id!, m.OwnedBy))
            .ToList();
        var defaultServed = profile.DefaultModel is null || rows.Any(r => (string?)r["id"] == profile.DefaultModel);
        var listed = new HashSet<string>(rows.Select(r => (string)r["id"]!), StringComparer.OrdinalIgnoreCase);

        // Catalog entries for models that should be served (not retired) but that the service does not list: the catalog
        // may have gone stale.
        var notListed = profile.Models.Where(m => m.Status != ModelStatus.Retired && !listed.Contains(m.Id)).ToList();
        var document = new JsonObject
        {
            ["provider"] = profile.Name,
            ["endpoint"] = DoctorRunner.Redact(endpoint),
            ["catalogDefaultModel"] = profile.DefaultModel,
            ["catalogDefaultModelServed"] = profile.DefaultModel is null ? null : defaultServed,
            ["catalogModelRules"] = new JsonArray([.. profile.ModelRules.Select(r => (JsonNode?)JsonValue.Create(r.ModelPattern))]),
            ["catalogVerified"] = profile.Verified?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["models"] = new JsonArray([.. rows]),
            ["catalogModelsNotListed"] = new JsonArray([.. notListed.Select(m => (JsonNode?)new JsonObject { ["id"] = m.Id, ["status"] = StatusName(m.Status) })]),
        };

        if (json)
        {
            await JsonOutput.WriteAsync(context.Output, document);
            return ExitCodes.Success;
        }

        if (context.IsTerminal)
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumn("Model").AddColumn("Owned by").AddColumn("Catalog");
            foreach (var row in rows)
            {
                table.AddRow(Markup.Escape((string)row["id"]!), Markup.Escape((string?)row["ownedBy"] ?? string.Empty), Markup.Escape((string)row["catalog"]!));
            }

            foreach (var model in notListed)
            {
                table.AddRow(Markup.Escape(model.Id), string.Empty, Markup.Escape(NotListedText(model)));
            }

            AnsiConsole.Write(table);
        }
        else
        {
            var width = rows.Count == 0 ? 5 : rows.Max(r => ((string)r["id"]!).Length);
            width = notListed.Count == 0 ? width : Math.Max(width, notListed.Max(m => m.Id.Length));
            foreach (var row in rows)
            {
                await context.Output.WriteLineAsync($"{((string)row["id"]!).PadRight(width)}  {row["catalog"]}");
            }

            foreach (var model in notListed)
            {
                await context.Output.WriteLineAsync($"{model.Id.PadRight(width)}  {NotListedText(model)}");
            }
        }

        if (notListed.Count > 0)
        {
            await context.Output.WriteLineAsync($"{notListed.Count} catalog model(s) not listed by the service: {string.Join(", ", notListed.Select(m => m.Id))}. The catalog (verified {profile.Verified?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) ?? "never"}) may be stale: re-verify it against the provider's documentation.");
        }

        await context.Output.WriteLineAsync($"{rows.Count} models at {DoctorRunner.Redact(endpoint)}; catalog default: {profile.DefaultModel ?? "(none)"}{(defaultServed ? string.Empty : " (NOT served)")}");
        return ExitCodes.Success;
    }

    private static string StatusName(ModelStatus status) => status.ToString().ToLowerInvariant();

    private static string NotListedText(KnownModel model) => $"catalog: {StatusText(model)}; NOT listed by the service";

    private static string StatusText(KnownModel model)
    {
        var text = StatusName(model.Status);
        if (model.Shutdown is { } date)
        {
            text += (model.Status == ModelStatus.Retired ? " since " : " until ") + date.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        }

        return model.Replacement is { } replacement ? $"{text} (use {replacement})" : text;
    }

    private static JsonObject Describe(ProviderProfile profile, string id, string? ownedBy)
    {
        var quirks = profile.GetQuirks(id);
        var rules = profile.ModelRules.Where(r => r.Matches(id)).Select(r => r.ModelPattern).ToList();
        var entry = profile.FindModel(id);
        var capabilities = new List<string>();
        if (entry is not null)
        {
            capabilities.Add(StatusText(entry));
        }

        if (id == profile.DefaultModel)
        {
            capabilities.Add("default");
        }

        if (quirks.ReasoningFields is { Count: > 0 } fields)
        {
            capabilities.Add("reasoning field " + string.Join(" or ", fields));
        }

        if (quirks.ReasoningTags is { Count: > 0 } tags)
        {
            capabilities.Add("reasoning tags <" + string.Join("> or <", tags) + ">");
        }

        if (quirks.ReasoningReplay is { } replay && replay != ReasoningReplay.None)
        {
            capabilities.Add("reasoning replay " + replay);
        }

        if (quirks.SupportsJsonSchema == false)
        {
            capabilities.Add("no json_schema");
        }

        if (rules.Count > 0)
        {
            capabilities.Add("rules " + string.Join(", ", rules));
        }

        return new JsonObject
        {
            ["id"] = id,
            ["ownedBy"] = ownedBy,
            ["default"] = id == profile.DefaultModel,
            ["status"] = entry is null ? null : StatusName(entry.Status),
            ["shutdown"] = entry?.Shutdown?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            ["replacement"] = entry?.Replacement,
            ["matchedRules"] = new JsonArray([.. rules.Select(r => (JsonNode?)JsonValue.Create(r))]),
            ["reasoningFields"] = new JsonArray([.. (quirks.ReasoningFields ?? []).Select(f => (JsonNode?)JsonValue.Create(f))]),
            ["reasoningTags"] = new JsonArray([.. (quirks.ReasoningTags ?? []).Select(f => (JsonNode?)JsonValue.Create(f))]),
            ["catalog"] = capabilities.Count == 0 ? "provider defaults" : string.Join("; ", capabilities),
        };
    }
}
