using System.Text.Json.Nodes;

namespace CompatAI.Cli;

/// <summary>
/// Learns an unknown OpenAI-compatible endpoint's rules with a battery of small requests, each changing one thing from
/// a request the endpoint accepted, and writes them as a <see cref="ProviderProfile"/> in the catalog's JSON format.
/// A rule is only written when the endpoint both rejected the OpenAI form and accepted the alternative.
/// </summary>
internal sealed class EndpointProber(EndpointClient http, Uri endpoint, string? apiKey, string? model, string name)
{
    private const string Prompt = "Say hi";
    private readonly List<ProbeFinding> _findings = [];
    private Credential _credential = Credential.Anonymous;
    private string _model = string.Empty;

    public async Task<ProbeReport> RunAsync(CancellationToken cancellationToken)
    {
        var profile = new JsonObject
        {
            ["name"] = name,
            ["displayName"] = $"{endpoint.Host} (probed)",
            ["baseUrl"] = DoctorRunner.Redact(endpoint),
        };
        var quirks = new JsonObject();

        // ---- auth style
        var anonymous = await http.GetAsync(endpoint, "models", Credential.Anonymous, cancellationToken);
        HttpAttempt? models = null;
        if (anonymous.Error is not null)
        {
            return Stop($"GET /models failed: {anonymous.Describe()}");
        }

        if (anonymous.IsSuccess)
        {
            profile["requiresApiKey"] = false;
            models = anonymous;
            _credential = apiKey is null ? Credential.Anonymous : new Credential(ProviderAuthStyle.Bearer, apiKey);
            Note("auth", "answers without a key");
        }
        else if (anonymous.IsAuthError && apiKey is not null)
        {
            foreach (var style in Credential.Candidates)
            {
                var attempt = await http.GetAsync(endpoint, "models", new Credential(style, apiKey), cancellationToken);
                if (attempt.IsSuccess)
                {
                    _credential = new Credential(style, apiKey);
                    models = attempt;
                    break;
                }
            }

            if (models is null)
            {
                return Stop($"the key is refused as Authorization: Bearer, x-api-key and api-key ({anonymous.Describe()})");
            }

            profile["authStyle"] = _credential.Style.ToString();
            Note("auth", $"key accepted as {_credential.Describe()}; refused without a key (HTTP {anonymous.StatusCode})");
        }
        else if (anonymous.IsAuthError)
        {
            return Stop($"the endpoint wants a key ({anonymous.Describe()}): pass --api-key");
        }
        else
        {
            _credential = apiKey is null ? Credential.Anonymous : new Credential(ProviderAuthStyle.Bearer, apiKey);
            Note("models", $"GET /models answered {anonymous.Describe()}");
        }

        if (ErrorShape(anonymous.IsAuthError ? anonymous : null) is { } authShape)
        {
            Note("error body (401)", authShape);
        }

        // ---- model and a baseline that must work
        var ids = models?.Json?["data"] is JsonArray data ? data.Select(m => (string?)m?["id"]).OfType<string>().ToList() : [];
        _model = model ?? ids.FirstOrDefault() ?? string.Empty;
        if (_model.Length == 0)
        {
            return Stop("no model: the endpoint lists none; pass --model");
        }

        profile["defaultModel"] = _model;
        var baseline = await ChatAsync(Body(), cancellationToken);
        if (!baseline.IsSuccess)
        {
            return Stop($"a minimal chat request failed: {baseline.Describe()}");
        }

        Note("baseline", $"plain chat with '{_model}' accepted");
        ReadReasoning(baseline.Json?["choices"]?[0]?["message"], quirks);

        // ---- parameters
        var unsupported = new JsonArray();
        var n = await ChatAsync(Body(("n", 2)), cancellationToken);
        if (n.IsClientError)
        {
            quirks["maxChoices"] = 1;
            Note("param n", $"n=2 rejected ({n.Describe()})");
        }
        else
        {
            Note("param n", n.Json?["choices"] is JsonArray { Count: 1 } ? "n=2 accepted but ignored (1 choice)" : "n=2 honoured");
        }

        foreach (var (parameter, value) in new (string, JsonNode)[]
                 {
                     ("logit_bias", new JsonObject { ["1000"] = -100 }), ("frequency_penalty", 0.1), ("presence_penalty", 0.1),
                 })
        {
            await ProbeParameterAsync(parameter, value, unsupported, cancellationToken);
        }

        var seed = await ChatAsync(Body(("seed", 42)), cancellationToken);
        if (seed.IsClientError)
        {
            var renamed = await ChatAsync(Body(("random_seed", 42)), cancellationToken);
            if (renamed.IsSuccess)
            {
                quirks["renamedParameters"] = new JsonObject { ["seed"] = "random_seed" };
                Note("param seed", $"rejected ({seed.Describe()}); random_seed accepted");
            }
            else
            {
                unsupported.Add("seed");
                Note("param seed", $"rejected ({seed.Describe()})");
            }
        }
        else
        {
            Note("param seed", "accepted");
        }

        var maxCompletion = await ChatAsync(Body(("max_completion_tokens", 16)), cancellationToken);
        if (maxCompletion.IsClientError)
        {
            var maxTokens = await ChatAsync(Body(("max_tokens", 16)), cancellationToken);
            if (maxTokens.IsSuccess)
            {
                quirks["maxTokensParameter"] = "max_tokens";
                Note("param max_completion_tokens", $"rejected ({maxCompletion.Describe()}); max_tokens accepted");
            }
            else
            {
                unsupported.Add("max_completion_tokens");
                Note("param max_completion_tokens", $"rejected ({maxCompletion.Describe()})");
            }
        }
        else
        {
            Note("param max_completion_tokens", "accepted");
        }

        var streamOptions = await ChatAsync(Body(("stream", true), ("stream_options", new JsonObject { ["include_usage"] = true })), cancellationToken);
        var streamOptionsAccepted = streamOptions.IsSuccess;
        if (streamOptions.IsClientError)
        {
            unsupported.Add("stream_options");
        }

        Note("param stream_options", streamOptionsAccepted ? "accepted" : $"rejected ({streamOptions.Describe()})");
        if (unsupported.Count > 0)
        {
            quirks["unsupportedParameters"] = unsupported;
        }

        // ---- roles
        var system = await ChatAsync(Body(messages: [Message("system", "Be brief."), Message("user", Prompt)]), cancellationToken);
        if (system.IsClientError)
        {
            quirks["systemRole"] = nameof(SystemRoleSupport.Unsupported);
        }

        Note("system role", system.IsSuccess ? "accepted" : $"rejected ({system.Describe()})");
        var developer = await ChatAsync(Body(messages: [Message("developer", "Be brief."), Message("user", Prompt)]), cancellationToken);
        if (developer.IsClientError && system.IsSuccess)
        {
            quirks["developerRole"] = nameof(DeveloperRoleSupport.MapToSystem);
        }

        Note("developer role", developer.IsSuccess ? "accepted" : $"rejected ({developer.Describe()})");

        // ---- tools
        var required = await ChatAsync(Body(("tools", Tools()), ("tool_choice", "required")), cancellationToken);
        if (required.IsClientError)
        {
            var any = await ChatAsync(Body(("tools", Tools()), ("tool_choice", "any")), cancellationToken);
            if (any.IsSuccess)
            {
                quirks["toolChoiceValues"] = new JsonObject { ["required"] = "any" };
            }

            Note("tool_choice required", $"rejected ({required.Describe()}){(any.IsSuccess ? "; \"any\" accepted" : string.Empty)}");
        }
        else
        {
            Note("tool_choice required", required.IsSuccess ? "accepted" : required.Describe());
        }

        var longId = await ChatAsync(Body(("tools", Tools()), messages: ToolHistory("call_compatai_probe_0001")), cancellationToken);
        if (longId.IsClientError)
        {
            var shortId = await ChatAsync(Body(("tools", Tools()), messages: ToolHistory("abcDEF123")), cancellationToken);
            if (shortId.IsSuccess)
            {
                quirks["toolCallIdFormat"] = nameof(ToolCallIdFormat.Alphanumeric9);
            }

            Note("tool-call ids", $"'call_compatai_probe_0001' rejected ({longId.Describe()}){(shortId.IsSuccess ? "; 9 alphanumerics accepted" : string.Empty)}");
        }
        else
        {
            Note("tool-call ids", longId.IsSuccess ? "any id accepted" : longId.Describe());
        }

        // ---- streams
        var streamExtras = streamOptionsAccepted ? new (string, JsonNode)[] { ("stream", true), ("stream_options", new JsonObject { ["include_usage"] = true }) } : [("stream", true)];
        var stream = await ChatAsync(Body(streamExtras), cancellationToken);
        Note("stream usage", StreamUsage(stream, streamOptionsAccepted));
        var toolStream = await ChatAsync(Body([.. streamExtras, ("tools", Tools()), ("tool_choice", "auto")]), cancellationToken);
        Note("stream tool calls", ToolCallShape(toolStream));

        // ---- error body
        var malformed = await http.PostRawAsync(endpoint, "chat/completions", "{", _credential, cancellationToken);
        Note("error body (400)", ErrorShape(malformed) ?? $"malformed JSON answered {malformed.Describe()}");

        if (quirks.Count > 0)
        {
            profile["quirks"] = quirks;
        }

        profile["sources"] = new JsonArray($"compatai probe of {DoctorRunner.Redact(endpoint)} with model {_model}");
        return new ProbeReport(DoctorRunner.Redact(endpoint), _model, _findings, profile, null);
    }

    private ProbeReport Stop(string error) => new(DoctorRunner.Redact(endpoint), _model.Length > 0 ? _model : model, _findings, null, error);

    private void Note(string what, string result) => _findings.Add(new ProbeFinding(what, result));

    private async Task ProbeParameterAsync(string parameter, JsonNode value, JsonArray unsupported, CancellationToken cancellationToken)
    {
        var attempt = await ChatAsync(Body((parameter, value)), cancellationToken);
        if (attempt.IsClientError)
        {
            unsupported.Add(parameter);
        }

        Note("param " + parameter, attempt.IsSuccess ? "accepted" : $"rejected ({attempt.Describe()})");
    }

    private Task<HttpAttempt> ChatAsync(JsonObject body, CancellationToken cancellationToken) => http.PostChatAsync(endpoint, body, _credential, cancellationToken);

    private JsonObject Body(params (string Name, JsonNode Value)[] extras) => Body(extras, messages: null);

    private JsonObject Body((string Name, JsonNode Value) extra, JsonNode[]? messages) => Body([extra], messages);

    private JsonObject Body((string Name, JsonNode Value)[]? extras = null, JsonNode[]? messages = null)
    {
        var body = new JsonObject
        {
            ["model"] = _model,
            ["messages"] = new JsonArray(messages ?? [Message("user", Prompt)]),
        };
        foreach (var (key, value) in extras ?? [])
        {
            body[key] = value.DeepClone();
        }

        return body;
    }

    private static JsonObject Message(string role, string content) => new() { ["role"] = role, ["content"] = content };

    private static JsonArray Tools() => new(new JsonObject
    {
        ["type"] = "function",
        ["function"] = new JsonObject
        {
            ["name"] = "get_time",
            ["description"] = "Returns the current time.",
            ["parameters"] = new JsonObject { ["type"] = "object", ["properties"] = new JsonObject() },
        },
    });

    private static JsonNode[] ToolHistory(string id) =>
    [
        Message("user", "What time is it?"),
        new JsonObject
        {
            ["role"] = "assistant",
            ["content"] = null,
            ["tool_calls"] = new JsonArray(new JsonObject
            {
                ["id"] = id,
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = "get_time", ["arguments"] = "{}" },
            }),
        },
        new JsonObject { ["role"] = "tool", ["tool_call_id"] = id, ["content"] = "12:00" },
    ];

    private void ReadReasoning(JsonNode? message, JsonObject quirks)
    {
        if (message is not JsonObject m)
        {
            return;
        }

        var fields = new JsonArray();
        foreach (var field in new[] { "reasoning_content", "reasoning", "reasoning_details" })
        {
            if (m[field] is JsonNode value && !(value is JsonValue v && v.TryGetValue<string>(out var s) && s.Length == 0))
            {
                fields.Add(field);
            }
        }

        if (fields.Count > 0)
        {
            quirks["reasoningFields"] = fields;
        }

        var content = m["content"];
        if (content is JsonValue text && text.TryGetValue<string>(out var value2) && value2.Contains("<think>", StringComparison.Ordinal))
        {
            quirks["reasoningTags"] = new JsonArray("think");
        }

        var thinkingParts = content is JsonArray parts && parts.Any(p => (string?)p?["type"] == "thinking");
        Note("reasoning", fields.Count > 0 ? $"in message field(s) {string.Join(", ", fields.Select(f => (string?)f))}"
            : quirks.ContainsKey("reasoningTags") ? "inline in <think> tags"
            : thinkingParts ? "as content parts of type \"thinking\" (no profile field; CompatAI reads them natively)"
            : $"none seen with model '{_model}' (try --model with a reasoning model)");
    }

    private static string StreamUsage(HttpAttempt stream, bool asked)
    {
        if (!stream.IsSuccess)
        {
            return $"streaming failed: {stream.Describe()}";
        }

        var events = stream.Events.ToList();
        if (!stream.Body.Contains("data:", StringComparison.Ordinal))
        {
            return $"stream request answered without SSE ({stream.ContentType})";
        }

        var withUsage = events.FindIndex(e => e["usage"] is JsonObject);
        var withXGroq = events.FindIndex(e => e["x_groq"]?["usage"] is JsonObject);
        var suffix = asked ? " (stream_options.include_usage sent)" : " (stream_options not sent)";
        if (withUsage < 0)
        {
            return (withXGroq >= 0 ? "usage only in x_groq.usage" : "no usage in the stream") + suffix;
        }

        var chunk = events[withUsage];
        var where = chunk["choices"] is JsonArray { Count: 0 } ? "a separate chunk with empty choices" : "the chunk carrying finish_reason";
        return $"usage in {where}{suffix}";
    }

    private static string ToolCallShape(HttpAttempt stream)
    {
        if (!stream.IsSuccess)
        {
            return $"failed: {stream.Describe()}";
        }

        var deltas = stream.Events
            .SelectMany(e => e["choices"] is JsonArray choices ? choices.OfType<JsonObject>() : [])
            .SelectMany(c => c["delta"]?["tool_calls"] is JsonArray calls ? calls.OfType<JsonObject>() : [])
            .ToList();
        if (deltas.Count == 0)
        {
            return "no tool call in the stream";
        }

        var indexed = deltas.All(d => d.ContainsKey("index"));
        var ids = deltas.Count(d => d["id"] is JsonValue);
        var shape = deltas.Count == ids ? "each call whole in one delta" : $"{deltas.Count} deltas for {ids} call(s)";
        return $"{shape}; index {(indexed ? "present" : "MISSING")}; ids {(ids > 0 ? "present" : "MISSING")}";
    }

    private static string? ErrorShape(HttpAttempt? attempt)
    {
        if (attempt?.StatusCode is null or < 400)
        {
            return null;
        }

        var json = attempt.Json;
        var shape = json switch
        {
            JsonObject o when o["error"] is JsonObject e && e.ContainsKey("message") => "OpenAI {\"error\":{\"message\",...}}",
            JsonObject o when o["error"] is JsonValue => "{\"error\":\"<text>\"}",
            JsonObject o when o["detail"] is not null => "FastAPI {\"detail\":[...]}",
            JsonObject o when o.ContainsKey("message") => "flat {\"message\",...}" + (o.ContainsKey("object") ? " with object:\"error\"" : string.Empty),
            null => "not JSON",
            _ => "other JSON",
        };
        return $"HTTP {attempt.StatusCode}: {shape}";
    }
}
