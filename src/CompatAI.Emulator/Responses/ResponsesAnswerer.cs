using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// The emulator's minimal OpenAI Responses API (<c>POST /v1/responses</c>), served in the "responses-only" mode
/// (<see cref="ProviderEmulatorOptions.ResponsesOnly"/>): the request's <c>input</c> items are mapped to Chat Completions
/// messages so the same deterministic <see cref="AnswerPlanner"/> rules answer, and the answer is written as a response
/// object (<c>message</c> / <c>function_call</c> output items) or as its streaming events.
/// </summary>
internal static class ResponsesAnswerer
{
    /// <summary>The Chat Completions request equivalent to a Responses request, or null when the body is not a JSON object.</summary>
    public static ChatRequest? ToChatRequest(string rawBody)
    {
        if (EmulatorJsonTryParse(rawBody) is not JsonObject body)
        {
            return null;
        }

        var messages = new JsonArray();
        if (body["instructions"] is JsonValue instructions && instructions.TryGetValue<string>(out var text))
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = text });
        }

        switch (body["input"])
        {
            case JsonValue single when single.TryGetValue<string>(out var prompt):
                messages.Add(new JsonObject { ["role"] = "user", ["content"] = prompt });
                break;
            case JsonArray items:
                foreach (var item in items.OfType<JsonObject>())
                {
                    AddItem(item, messages);
                }

                break;
        }

        var chat = new JsonObject { ["model"] = body["model"]?.DeepClone(), ["messages"] = messages };
        if (body["tools"] is JsonArray tools)
        {
            chat["tools"] = new JsonArray([.. tools.OfType<JsonObject>().Where(t => (string?)t["type"] == "function").Select(t => (JsonNode)new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = t["name"]?.DeepClone(), ["description"] = t["description"]?.DeepClone(), ["parameters"] = t["parameters"]?.DeepClone() },
            })]);
        }

        if (body["tool_choice"] is JsonValue choice)
        {
            chat["tool_choice"] = choice.DeepClone();
        }

        return ChatRequest.TryParse(EmulatorJson.Serialize(chat));
    }

    private static JsonNode? EmulatorJsonTryParse(string raw)
    {
        try
        {
            return JsonNode.Parse(raw);
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static void AddItem(JsonObject item, JsonArray messages)
    {
        switch ((string?)item["type"])
        {
            case "function_call":
                messages.Add(new JsonObject
                {
                    ["role"] = "assistant",
                    ["content"] = null,
                    ["tool_calls"] = new JsonArray(new JsonObject
                    {
                        ["id"] = item["call_id"]?.DeepClone(),
                        ["type"] = "function",
                        ["function"] = new JsonObject { ["name"] = item["name"]?.DeepClone(), ["arguments"] = item["arguments"]?.DeepClone() },
                    }),
                });
                break;
            case "function_call_output":
                messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = item["call_id"]?.DeepClone(), ["content"] = item["output"]?.DeepClone() });
                break;
            default:
                var role = (string?)item["role"] ?? "user";
                var content = item["content"] switch
                {
                    JsonValue v when v.TryGetValue<string>(out var s) => s,
                    JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"] ?? string.Empty)),
                    _ => string.Empty,
                };
                messages.Add(new JsonObject { ["role"] = role == "developer" ? "system" : role, ["content"] = content });
                break;
        }
    }

    /// <summary>The completed response object.</summary>
    public static JsonObject Response(ChatRequest request, AnswerPlan plan, long created, string status = "completed")
    {
        var ids = new IdSource("responses\n" + request.RawBody);
        var output = new JsonArray();
        if (status == "completed")
        {
            foreach (var item in OutputItems(plan, ids))
            {
                output.Add(item);
            }
        }

        var completionTokens = plan.IsToolCall ? plan.ToolCalls.Count * 8 : Math.Max(1, TextPieces.CountWords(plan.Text ?? string.Empty));
        return new JsonObject
        {
            ["id"] = "resp_" + ids.Hex(32),
            ["object"] = "response",
            ["created_at"] = created,
            ["status"] = status,
            ["model"] = request.Model,
            ["output"] = output,
            ["parallel_tool_calls"] = true,
            ["tool_choice"] = "auto",
            ["tools"] = new JsonArray(),
            ["usage"] = status == "completed"
                ? new JsonObject
                {
                    ["input_tokens"] = plan.PromptTokens,
                    ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
                    ["output_tokens"] = completionTokens,
                    ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
                    ["total_tokens"] = plan.PromptTokens + completionTokens,
                }
                : null,
        };
    }

    private static IEnumerable<JsonObject> OutputItems(AnswerPlan plan, IdSource ids)
    {
        if (plan.IsToolCall)
        {
            foreach (var call in plan.ToolCalls)
            {
                yield return new JsonObject
                {
                    ["type"] = "function_call",
                    ["id"] = "fc_" + ids.Hex(24),
                    ["call_id"] = "call_" + ids.Alphanumeric(24),
                    ["name"] = call.Name,
                    ["arguments"] = call.Arguments,
                    ["status"] = "completed",
                };
            }

            yield break;
        }

        yield return new JsonObject
        {
            ["type"] = "message",
            ["id"] = "msg_" + ids.Hex(24),
            ["status"] = "completed",
            ["role"] = "assistant",
            ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = plan.Text, ["annotations"] = new JsonArray() }),
        };
    }

    /// <summary>The streaming events: created, per item added / text deltas / done, then completed.</summary>
    public static IEnumerable<SseFrame> Stream(ChatRequest request, AnswerPlan plan, long created)
    {
        var sequence = 0;
        var completed = Response(request, plan, created);
        yield return Event("response.created", new JsonObject { ["response"] = Response(request, plan, created, "in_progress") });
        var index = 0;
        foreach (var item in completed["output"]!.AsArray().OfType<JsonObject>())
        {
            var added = item.DeepClone().AsObject();
            if ((string?)added["type"] == "message")
            {
                added["content"] = new JsonArray();
                added["status"] = "in_progress";
            }

            yield return Event("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = added });
            if ((string?)item["type"] == "message")
            {
                foreach (var piece in TextPieces.Split(plan.Text ?? string.Empty))
                {
                    yield return Event("response.output_text.delta", new JsonObject
                    {
                        ["item_id"] = item["id"]?.DeepClone(), ["output_index"] = index, ["content_index"] = 0, ["delta"] = piece,
                    });
                }
            }

            yield return Event("response.output_item.done", new JsonObject { ["output_index"] = index, ["item"] = item.DeepClone() });
            index++;
        }

        yield return Event("response.completed", new JsonObject { ["response"] = completed });

        SseFrame Event(string type, JsonObject payload)
        {
            payload["type"] = type;
            payload["sequence_number"] = sequence++;
            return SseFrame.Event(type, payload);
        }
    }
}
