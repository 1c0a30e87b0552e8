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
        var command = new Command("models", "List the provider's live models (GET /models) beside the catalog's default model and per-model rules.");
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
        var document = new JsonObject
        {
            ["provider"] = profile.Name,
            ["endpoint"] = DoctorRunner.Redact(endpoint),
            ["catalogDefaultModel"] = profile.DefaultModel,
            ["catalogDefaultModelServed"] = profile.DefaultModel is null ? null : defaultServed,
            ["catalogModelRules"] = new JsonArray([.. profile.ModelRules.Select(r => (JsonNode?)JsonValue.Create(r.ModelPattern))]),
            ["models"] = new JsonArray([.. rows]),
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

            AnsiConsole.Write(table);
        }
        else
        {
            var width = rows.Count == 0 ? 5 : rows.Max(r => ((string)r["id"]!).Length);
            foreach (var row in rows)
            {
                await context.Output.WriteLineAsync($"{((string)row["id"]!).PadRight(width)}  {row["catalog"]}");
            }
        }

        await context.Output.WriteLineAsync($"{rows.Count} models at {DoctorRunner.Redact(endpoint)}; catalog default: {profile.DefaultModel ?? "(none)"}{(defaultServed ? string.Empty : " (NOT served)")}");
        return ExitCodes.Success;
    }

    private static JsonObject Describe(ProviderProfile profile, string id, string? ownedBy)
    {
        var quirks = profile.GetQuirks(id);
        var rules = profile.ModelRules.Where(r => r.Matches(id)).Select(r => r.ModelPattern).ToList();
        var capabilities = new List<string>();
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
            ["matchedRules"] = new JsonArray([.. rules.Select(r => (JsonNode?)JsonValue.Create(r))]),
            ["reasoningFields"] = new JsonArray([.. (quirks.ReasoningFields ?? []).Select(f => (JsonNode?)JsonValue.Create(f))]),
            ["reasoningTags"] = new JsonArray([.. (quirks.ReasoningTags ?? []).Select(f => (JsonNode?)JsonValue.Create(f))]),
            ["catalog"] = capabilities.Count == 0 ? "provider defaults" : string.Join("; ", capabilities),
        };
    }
}
