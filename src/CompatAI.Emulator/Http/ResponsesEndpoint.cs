using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace CompatAI.Emulator;

/// <summary>
/// <c>POST /v1/responses</c> for personalities in <see cref="ProviderEmulatorOptions.ResponsesOnly"/>: the request's input
/// items are read as the equivalent chat conversation, answered by the same planner as Chat Completions, and written in
/// the Responses API's shape (a response object, or its event stream).
/// </summary>
internal static class ResponsesEndpoint
{
    public static async Task HandleAsync(HttpContext http, Personality personality, string body, TimeSpan chunkDelay)
    {
        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request is null || request["input"] is null)
        {
            await WriteAsync(http, 400, "application/json", EmulatorJson.Serialize(personality.ErrorBody(400, "'input' is required.", "invalid_request_error", null, "input"))).ConfigureAwait(false);
            return;
        }

        var chat = ChatRequest.TryParse(ToChatBody(request).ToJsonString())!;
        var plan = AnswerPlanner.Plan(chat, toolsSupported: true);
        var model = (string?)request["model"] ?? "model";
        var ids = new IdSource(body);
        var responseId = "resp_" + ids.Hex(24);
        var output = new JsonArray();
        if (plan.IsToolCall)
        {
            foreach (var call in plan.ToolCalls)
            {
                output.Add(new JsonObject
                {
                    ["type"] = "function_call",
                    ["id"] = "fc_" + ids.Hex(24),
                    ["call_id"] = "call_" + ids.Alphanumeric(24),
                    ["name"] = call.Name,
                    ["arguments"] = call.Arguments,
                    ["status"] = "completed",
                });
            }
        }
        else
        {
            output.Add(new JsonObject
            {
                ["type"] = "message",
                ["id"] = "msg_" + ids.Hex(24),
                ["status"] = "completed",
                ["role"] = "assistant",
                ["content"] = new JsonArray(new JsonObject { ["type"] = "output_text", ["text"] = plan.Text ?? string.Empty, ["annotations"] = new JsonArray() }),
            });
        }

        var outputTokens = Math.Max(1, TextPieces.CountWords(plan.Text ?? string.Join(' ', plan.ToolCalls.Select(c => c.Arguments))));
        var response = Response(responseId, model, "completed", output, new JsonObject
        {
            ["input_tokens"] = plan.PromptTokens,
            ["input_tokens_details"] = new JsonObject { ["cached_tokens"] = 0 },
            ["output_tokens"] = outputTokens,
            ["output_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0 },
            ["total_tokens"] = plan.PromptTokens + outputTokens,
        });

        if (request["stream"] is JsonValue stream && stream.TryGetValue<bool>(out var streaming) && streaming)
        {
            await WriteStreamAsync(http, response, chunkDelay).ConfigureAwait(false);
            return;
        }

        await WriteAsync(http, 200, "application/json", EmulatorJson.Serialize(response)).ConfigureAwait(false);
    }

    /// <summary>The chat body a Responses request corresponds to: instructions, input messages and items, tools.</summary>
    private static JsonObject ToChatBody(JsonObject request)
    {
        var messages = new JsonArray();
        if (request["instructions"] is JsonValue instructions)
        {
            messages.Add(new JsonObject { ["role"] = "system", ["content"] = (string?)instructions });
        }

        if (request["input"] is JsonValue text)
        {
            messages.Add(new JsonObject { ["role"] = "user", ["content"] = (string?)text });
        }
        else if (request["input"] is JsonArray items)
        {
            foreach (var item in items.OfType<JsonObject>())
            {
                switch ((string?)item["type"])
                {
                    case "function_call":
                        messages.Add(new JsonObject
                        {
                            ["role"] = "assistant",
                            ["tool_calls"] = new JsonArray(new JsonObject
                            {
                                ["id"] = (string?)item["call_id"],
                                ["type"] = "function",
                                ["function"] = new JsonObject { ["name"] = (string?)item["name"], ["arguments"] = (string?)item["arguments"] },
                            }),
                        });
                        break;
                    case "function_call_output":
                        messages.Add(new JsonObject { ["role"] = "tool", ["tool_call_id"] = (string?)item["call_id"], ["content"] = item["output"]?.ToString() });
                        break;
                    default:
                        messages.Add(new JsonObject { ["role"] = (string?)item["role"] ?? "user", ["content"] = TextOf(item["content"]) });
                        break;
                }
            }
        }

        var body = new JsonObject { ["model"] = request["model"]?.DeepClone(), ["messages"] = messages };
        if (request["tools"] is JsonArray tools)
        {
            body["tools"] = new JsonArray([.. tools.OfType<JsonObject>().Select(static t => (JsonNode)new JsonObject
            {
                ["type"] = "function",
                ["function"] = new JsonObject { ["name"] = t["name"]?.DeepClone(), ["description"] = t["description"]?.DeepClone(), ["parameters"] = t["parameters"]?.DeepClone() },
            })]);
        }

        return body;
    }

    private static string TextOf(JsonNode? content) => content switch
    {
        JsonValue value => (string?)value ?? string.Empty,
        JsonArray parts => string.Concat(parts.OfType<JsonObject>().Select(static p => (string?)p["text"] ?? string.Empty)),
        _ => string.Empty,
    };

    private static JsonObject Response(string id, string model, string status, JsonArray output, JsonObject? usage) => new()
    {
        ["id"] = id,
        ["object"] = "response",
        ["created_at"] = 1_700_000_000,
        ["status"] = status,
        ["model"] = model,
        ["output"] = output,
        ["parallel_tool_calls"] = true,
        ["tool_choice"] = "auto",
        ["tools"] = new JsonArray(),
        ["usage"] = usage,
    };

    /// <summary>The event stream of a response: created, each output item with its deltas, completed.</summary>
    private static async Task WriteStreamAsync(HttpContext http, JsonObject response, TimeSpan chunkDelay)
    {
        var frames = new List<SseFrame>();
        var sequence = 0;
        void Add(string type, JsonObject data)
        {
            data["type"] = type;
            data["sequence_number"] = sequence++;
            frames.Add(SseFrame.Event(type, data));
        }

        var output = (JsonArray)response["output"]!;
        Add("response.created", new JsonObject { ["response"] = Response((string)response["id"]!, (string)response["model"]!, "in_progress", [], null) });
        for (var index = 0; index < output.Count; index++)
        {
            var item = (JsonObject)output[index]!;
            if ((string?)item["type"] == "message")
            {
                var text = (string?)item["content"]![0]!["text"] ?? string.Empty;
                var pending = (JsonObject)item.DeepClone();
                pending["status"] = "in_progress";
                pending["content"] = new JsonArray();
                Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = pending });
                Add("response.content_part.added", new JsonObject { ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = index, ["content_index"] = 0, ["part"] = new JsonObject { ["type"] = "output_text", ["text"] = string.Empty, ["annotations"] = new JsonArray() } });
                foreach (var piece in TextPieces.Split(text))
                {
                    Add("response.output_text.delta", new JsonObject { ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = index, ["content_index"] = 0, ["delta"] = piece });
                }

                Add("response.output_text.done", new JsonObject { ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = index, ["content_index"] = 0, ["text"] = text });
                Add("response.content_part.done", new JsonObject { ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = index, ["content_index"] = 0, ["part"] = item["content"]![0]!.DeepClone() });
            }
            else
            {
                var pending = (JsonObject)item.DeepClone();
                pending["status"] = "in_progress";
                pending["arguments"] = string.Empty;
                Add("response.output_item.added", new JsonObject { ["output_index"] = index, ["item"] = pending });
                Add("response.function_call_arguments.delta", new JsonObject { ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = index, ["delta"] = item["arguments"]!.DeepClone() });
                Add("response.function_call_arguments.done", new JsonObject { ["item_id"] = item["id"]!.DeepClone(), ["output_index"] = index, ["arguments"] = item["arguments"]!.DeepClone() });
            }

            Add("response.output_item.done", new JsonObject { ["output_index"] = index, ["item"] = item.DeepClone() });
        }

        Add("response.completed", new JsonObject { ["response"] = response.DeepClone() });

        http.Response.StatusCode = 200;
        http.Response.ContentType = "text/event-stream; charset=utf-8";
        try
        {
            foreach (var frame in frames)
            {
                await http.Response.WriteAsync(frame.ToWire(), http.RequestAborted).ConfigureAwait(false);
                await http.Response.Body.FlushAsync(http.RequestAborted).ConfigureAwait(false);
                if (chunkDelay > TimeSpan.Zero)
                {
                    await Task.Delay(chunkDelay, http.RequestAborted).ConfigureAwait(false);
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // The client went away mid-stream.
        }
    }

    private static async Task WriteAsync(HttpContext http, int status, string contentType, string body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = contentType;
        try
        {
            await http.Response.WriteAsync(body, Encoding.UTF8, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException)
        {
            // Client disconnected.
        }
    }
}
