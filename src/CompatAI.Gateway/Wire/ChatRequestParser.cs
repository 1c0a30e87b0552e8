using System.Text.Json;
using System.Text.RegularExpressions;
using CompatAI.Gateway.Errors;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Wire;

/// <summary>
/// Validates an OpenAI chat-completions body with <see cref="JsonDocument"/> and maps it to
/// <see cref="ChatMessage"/>s and <see cref="ChatOptions"/>. Every malformed or unsupported shape becomes a
/// <see cref="RequestValidationException"/> naming the offending field in <c>param</c>.
/// </summary>
internal static partial class ChatRequestParser
{
    // Duplicate keys ("model" twice) are rejected rather than resolved last-wins: a proxy in front may have read the other one.
    private static readonly JsonDocumentOptions s_documentOptions = new() { MaxDepth = 128, AllowDuplicateProperties = false };
    private static readonly JsonDocumentOptions s_duplicatesAllowed = new() { MaxDepth = 128 };
    private static readonly JsonElement s_emptyObjectSchema = JsonDocument.Parse("""{"type":"object","properties":{}}""").RootElement.Clone();

    public static ParsedChatRequest Parse(ReadOnlyMemory<byte> body)
    {
        // JsonDocument rents a buffer about the size of the whole body from the shared array pool, and the pool keeps it:
        // after a few large requests, hundreds of megabytes stay resident. Large string values are therefore decoded
        // straight from the bytes first and JsonDocument only sees the small remainder (LargeStrings).
        if (body.Length >= LargeStrings.BodyThreshold && LargeStrings.TryExtract(body.Span) is { } extracted)
        {
            t_largeStrings = extracted.Strings;
            try
            {
                var parsed = ParseDocument(extracted.Compact);
                if (extracted.Strings.AllResolved)
                {
                    return parsed;
                }
            }
            finally
            {
                t_largeStrings = null;
            }

            // A large string sat where the parser keeps raw JSON (a tool's schema): parse the body as it is.
        }

        return ParseDocument(body);
    }

    /// <summary>The large strings taken out of the body being parsed on this thread, if any.</summary>
    [ThreadStatic]
    private static LargeStrings? t_largeStrings;

    /// <summary>The text of a JSON string, including one that <see cref="LargeStrings"/> took out of the document.</summary>
    private static string Text(JsonElement value)
    {
        var text = value.GetString()!;
        return t_largeStrings is { } large ? large.Resolve(text) : text;
    }

    private static ParsedChatRequest ParseDocument(ReadOnlyMemory<byte> body)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, s_documentOptions);
        }
        catch (JsonException ex)
        {
            if (FindDuplicateKey(body) is { } duplicate)
            {
                throw new RequestValidationException(new GatewayError(400, "invalid_request_error",
                    $"The request body has the key '{GatewayText.Echo(duplicate)}' more than once. Send each key once.", GatewayText.Echo(duplicate), "duplicate_key"));
            }

            throw new RequestValidationException(new GatewayError(400, "invalid_request_error",
                $"The request body is not valid JSON ({GatewayText.Echo(ex.Message)}). Send a JSON object with 'model' and 'messages'.", null, "invalid_json"));
        }

        using (document)
        {
            try
            {
                return Parse(document.RootElement);
            }
            catch (InvalidOperationException ex)
            {
                // JsonElement.GetString refuses escaped text that is not valid UTF-16, such as a lone surrogate.
                throw new RequestValidationException(new GatewayError(400, "invalid_request_error",
                    $"The request body has a string that is not valid Unicode ({ex.Message}).", null, "invalid_json"));
            }
        }
    }

    /// <summary>Returns the path of the first key that occurs twice in one object, or <see langword="null"/> when the body is not JSON for another reason.</summary>
    private static string? FindDuplicateKey(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body, s_duplicatesAllowed);
            return FindDuplicateKey(document.RootElement, string.Empty);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static string? FindDuplicateKey(JsonElement element, string path)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var seen = new HashSet<string>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var childPath = path.Length == 0 ? property.Name : path + "." + property.Name;
                    if (!seen.Add(property.Name))
                    {
                        return childPath;
                    }

                    if (FindDuplicateKey(property.Value, childPath) is { } nested)
                    {
                        return nested;
                    }
                }

                return null;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (FindDuplicateKey(item, $"{path}[{index++}]") is { } nested)
                    {
                        return nested;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    private static ParsedChatRequest Parse(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new RequestValidationException(new GatewayError(400, "invalid_request_error",
                $"The request body must be a JSON object, not {Describe(root)}.", null, "invalid_json"));
        }

        string? model = null;
        List<ChatMessage>? messages = null;
        bool stream = false;
        JsonElement? streamOptions = null;
        int? maxTokens = null;
        int? maxCompletionTokens = null;
        JsonElement? toolChoice = null;
        var options = new ChatOptions();

        foreach (var property in root.EnumerateObject())
        {
            var value = property.Value;
            switch (property.Name)
            {
                case "model":
                    model = RequireString(value, "model");
                    if (model.Length == 0)
                    {
                        throw RequestValidationException.Invalid("model", "'model' must not be empty. Use '<provider>/<model>', for example 'echo/echo-1'.");
                    }

                    break;
                case "messages":
                    messages = ParseMessages(value);
                    break;
                case "stream":
                    stream = OptionalBool(value, "stream") ?? false;
                    break;
                case "stream_options":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        RequireKind(value, JsonValueKind.Object, "stream_options", "an object");
                        streamOptions = value;
                    }

                    break;
                case "temperature":
                    options.Temperature = OptionalNumber(value, "temperature", 0, 2);
                    break;
                case "top_p":
                    options.TopP = OptionalNumber(value, "top_p", 0, 1);
                    break;
                case "frequency_penalty":
                    options.FrequencyPenalty = OptionalNumber(value, "frequency_penalty", -2, 2);
                    break;
                case "presence_penalty":
                    options.PresencePenalty = OptionalNumber(value, "presence_penalty", -2, 2);
                    break;
                case "max_tokens":
                    maxTokens = OptionalPositiveInt(value, "max_tokens");
                    break;
                case "max_completion_tokens":
                    maxCompletionTokens = OptionalPositiveInt(value, "max_completion_tokens");
                    break;
                case "seed":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt64(out var seed))
                        {
                            throw RequestValidationException.Invalid("seed", $"'seed' must be an integer, not {Describe(value)}.");
                        }

                        options.Seed = seed;
                    }

                    break;
                case "stop":
                    options.StopSequences = ParseStop(value);
                    break;
                case "n":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var n))
                        {
                            throw RequestValidationException.Invalid("n", $"'n' must be an integer, not {Describe(value)}.");
                        }

                        if (n != 1)
                        {
                            throw RequestValidationException.Invalid("n", $"'n' is {n}, but the gateway returns exactly one choice. Send n=1 (or omit it) and make separate requests for more choices.");
                        }
                    }

                    break;
                case "user":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        (options.AdditionalProperties ??= [])["user"] = RequireString(value, "user");
                    }

                    break;
                case "tools":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        options.Tools = ParseTools(value);
                    }

                    break;
                case "tool_choice":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        toolChoice = value;
                    }

                    break;
                case "parallel_tool_calls":
                    options.AllowMultipleToolCalls = OptionalBool(value, "parallel_tool_calls");
                    break;
                case "response_format":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        options.ResponseFormat = ParseResponseFormat(value, options);
                    }

                    break;
                case "reasoning_effort":
                    ParseReasoningEffort(value, options);
                    break;
                case "logprobs":
                    if (OptionalBool(value, "logprobs") == true)
                    {
                        throw RequestValidationException.Invalid("logprobs", "'logprobs' is not supported by the gateway. Remove it or set it to false.");
                    }

                    break;
                case "top_logprobs":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        throw RequestValidationException.Invalid("top_logprobs", "'top_logprobs' is not supported by the gateway (log probabilities are not returned). Remove it.");
                    }

                    break;
                case "functions":
                case "function_call":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        throw RequestValidationException.Invalid(property.Name, $"'{property.Name}' is the deprecated function-calling API. Use 'tools' and 'tool_choice' instead.");
                    }

                    break;
                case "modalities":
                    ParseModalities(value);
                    break;
                case "audio":
                    if (value.ValueKind != JsonValueKind.Null)
                    {
                        throw RequestValidationException.Invalid("audio", "Audio output is not supported by the gateway. Remove 'audio'.");
                    }

                    break;
                default:
                    // Anything else (provider extensions such as top_k, logit_bias, metadata) goes to the pipeline as is.
                    (options.AdditionalProperties ??= [])[property.Name] = value.Clone();
                    break;
            }
        }

        if (model is null)
        {
            throw RequestValidationException.Invalid("model", "'model' is required. Use '<provider>/<model>', for example 'echo/echo-1'; GET /v1/models lists them.");
        }

        if (messages is null)
        {
            throw RequestValidationException.Invalid("messages", "'messages' is required: an array with at least one message.");
        }

        var includeUsage = false;
        if (streamOptions is { } so)
        {
            if (!stream)
            {
                throw RequestValidationException.Invalid("stream_options", "'stream_options' is only allowed when 'stream' is true.");
            }

            foreach (var p in so.EnumerateObject())
            {
                if (p.Name == "include_usage")
                {
                    includeUsage = OptionalBool(p.Value, "stream_options.include_usage") ?? false;
                }
                else if (p.Name == "include_obfuscation")
                {
                    OptionalBool(p.Value, "stream_options.include_obfuscation");
                }
                else
                {
                    throw RequestValidationException.Invalid("stream_options." + p.Name, $"'stream_options.{p.Name}' is not supported. Only 'include_usage' is.");
                }
            }
        }

        options.MaxOutputTokens = maxCompletionTokens ?? maxTokens;
        if (options.AdditionalProperties?.ContainsKey("strict") is true && options.Tools is { } declared)
        {
            // The response format's strict flag lives in ChatOptions and would otherwise apply to every tool too.
            for (var i = 0; i < declared.Count; i++)
            {
                if (declared[i] is WireFunctionDeclaration { AdditionalProperties.Count: 0 } loose)
                {
                    declared[i] = new WireFunctionDeclaration(loose.Name, loose.Description, loose.JsonSchema, strict: false);
                }
            }
        }
        if (toolChoice is { } choice)
        {
            options.ToolMode = ParseToolChoice(choice, options.Tools);
        }

        return new ParsedChatRequest { Model = model, Messages = messages, Options = options, Stream = stream, IncludeUsage = includeUsage };
    }

    private static List<ChatMessage> ParseMessages(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw RequestValidationException.Invalid("messages", $"'messages' must be an array of message objects, not {Describe(value)}.");
        }

        var messages = new List<ChatMessage>(value.GetArrayLength());
        var i = 0;
        foreach (var item in value.EnumerateArray())
        {
            messages.Add(ParseMessage(item, $"messages[{i}]"));
            i++;
        }

        if (messages.Count == 0)
        {
            throw RequestValidationException.Invalid("messages", "'messages' is empty. Send at least one message, for example {\"role\":\"user\",\"content\":\"Hello\"}.");
        }

        return messages;
    }

    private static ChatMessage ParseMessage(JsonElement item, string path)
    {
        if (item.ValueKind != JsonValueKind.Object)
        {
            throw RequestValidationException.Invalid(path, $"'{path}' must be a message object with 'role' and 'content', not {Describe(item)}.");
        }

        if (!item.TryGetProperty("role", out var roleElement))
        {
            throw RequestValidationException.Invalid(path + ".role", $"'{path}.role' is required: one of system, developer, user, assistant, tool.");
        }

        var role = RequireString(roleElement, path + ".role");
        item.TryGetProperty("content", out var content);
        var hasContent = content.ValueKind is not JsonValueKind.Undefined and not JsonValueKind.Null;

        ChatMessage message;
        switch (role)
        {
            case "system":
            case "developer":
            case "user":
                if (!hasContent)
                {
                    throw RequestValidationException.Invalid(path + ".content", $"'{path}.content' is required for a {role} message: a string or an array of content parts.");
                }

                message = new ChatMessage(role == "user" ? ChatRole.User : ChatRole.System, ParseContent(content, path + ".content", allowImages: role == "user", allowRefusal: false));
                break;
            case "assistant":
                message = ParseAssistant(item, content, hasContent, path);
                break;
            case "tool":
                message = ParseTool(item, content, hasContent, path);
                break;
            case "function":
                throw RequestValidationException.Invalid(path + ".role", $"'{path}.role' is 'function', the deprecated function-calling API. Use role 'tool' with 'tool_call_id'.");
            default:
                throw RequestValidationException.Invalid(path + ".role", $"'{path}.role' is '{GatewayText.Echo(role)}', which is not a known role. Use one of system, developer, user, assistant, tool.");
        }

        if (item.TryGetProperty("name", out var name) && name.ValueKind != JsonValueKind.Null)
        {
            message.AuthorName = RequireString(name, path + ".name");
        }

        return message;
    }

    private static ChatMessage ParseAssistant(JsonElement item, JsonElement content, bool hasContent, string path)
    {
        var contents = new List<AIContent>();
        if (item.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind != JsonValueKind.Null)
        {
            var text = RequireString(reasoning, path + ".reasoning_content");
            if (text.Length > 0)
            {
                contents.Add(new TextReasoningContent(text));
            }
        }

        if (hasContent)
        {
            contents.AddRange(ParseContent(content, path + ".content", allowImages: false, allowRefusal: true));
        }

        var hasToolCalls = false;
        if (item.TryGetProperty("tool_calls", out var toolCalls) && toolCalls.ValueKind != JsonValueKind.Null)
        {
            if (toolCalls.ValueKind != JsonValueKind.Array)
            {
                throw RequestValidationException.Invalid(path + ".tool_calls", $"'{path}.tool_calls' must be an array, not {Describe(toolCalls)}.");
            }

            var j = 0;
            foreach (var call in toolCalls.EnumerateArray())
            {
                contents.Add(ParseToolCall(call, $"{path}.tool_calls[{j}]"));
                j++;
            }

            hasToolCalls = j > 0;
        }

        if (!hasContent && !hasToolCalls)
        {
            throw RequestValidationException.Invalid(path + ".content", $"'{path}' is an assistant message with neither 'content' nor 'tool_calls'. Give it one of them.");
        }

        return new ChatMessage(ChatRole.Assistant, contents);
    }

    private static FunctionCallContent ParseToolCall(JsonElement call, string path)
    {
        if (call.ValueKind != JsonValueKind.Object)
        {
            throw RequestValidationException.Invalid(path, $"'{path}' must be a tool call object, not {Describe(call)}.");
        }

        var id = RequireNonEmptyString(call, "id", path);
        if (call.TryGetProperty("type", out var type) && type.ValueKind != JsonValueKind.Null && RequireString(type, path + ".type") != "function")
        {
            throw RequestValidationException.Invalid(path + ".type", $"'{path}.type' must be 'function'.");
        }

        if (!call.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
        {
            throw RequestValidationException.Invalid(path + ".function", $"'{path}.function' is required: an object with 'name' and 'arguments'.");
        }

        var name = RequireNonEmptyString(function, "name", path + ".function");
        IDictionary<string, object?>? arguments = null;
        if (function.TryGetProperty("arguments", out var args) && args.ValueKind != JsonValueKind.Null)
        {
            var json = RequireString(args, path + ".function.arguments");
            arguments = ParseArguments(json, path + ".function.arguments");
        }

        return new FunctionCallContent(id, name, arguments ?? new Dictionary<string, object?>(StringComparer.Ordinal));
    }

    private static Dictionary<string, object?> ParseArguments(string json, string path)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw RequestValidationException.Invalid(path, $"'{path}' must be a JSON object encoded as a string, not {Describe(document.RootElement)}.");
            }

            var result = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var p in document.RootElement.EnumerateObject())
            {
                result[p.Name] = p.Value.Clone();
            }

            return result;
        }
        catch (JsonException ex)
        {
            throw RequestValidationException.Invalid(path, $"'{path}' is not valid JSON ({ex.Message}).");
        }
    }

    private static ChatMessage ParseTool(JsonElement item, JsonElement content, bool hasContent, string path)
    {
        if (!item.TryGetProperty("tool_call_id", out var idElement) || idElement.ValueKind == JsonValueKind.Null)
        {
            throw RequestValidationException.Invalid(path + ".tool_call_id", $"'{path}.tool_call_id' is required for a tool message: the id of the assistant's tool call it answers.");
        }

        var id = RequireString(idElement, path + ".tool_call_id");
        if (id.Length == 0)
        {
            throw RequestValidationException.Invalid(path + ".tool_call_id", $"'{path}.tool_call_id' must not be empty.");
        }

        if (!hasContent)
        {
            throw RequestValidationException.Invalid(path + ".content", $"'{path}.content' is required for a tool message: the tool's result as a string.");
        }

        var parts = ParseContent(content, path + ".content", allowImages: false, allowRefusal: false);
        var text = string.Concat(parts.OfType<TextContent>().Select(t => t.Text));
        return new ChatMessage(ChatRole.Tool, [new FunctionResultContent(id, text)]);
    }

    private static List<AIContent> ParseContent(JsonElement content, string path, bool allowImages, bool allowRefusal)
    {
        if (content.ValueKind == JsonValueKind.String)
        {
            return [new TextContent(Text(content))];
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            throw RequestValidationException.Invalid(path, $"'{path}' must be a string or an array of content parts, not {Describe(content)}.");
        }

        var parts = new List<AIContent>();
        var j = 0;
        foreach (var part in content.EnumerateArray())
        {
            parts.Add(ParsePart(part, $"{path}[{j}]", allowImages, allowRefusal));
            j++;
        }

        if (parts.Count == 0)
        {
            throw RequestValidationException.Invalid(path, $"'{path}' is an empty array. Send at least one content part, or a string.");
        }

        return parts;
    }

    private static AIContent ParsePart(JsonElement part, string path, bool allowImages, bool allowRefusal)
    {
        if (part.ValueKind != JsonValueKind.Object)
        {
            throw RequestValidationException.Invalid(path, $"'{path}' must be a content part object such as {{\"type\":\"text\",\"text\":\"...\"}}, not {Describe(part)}.");
        }

        if (!part.TryGetProperty("type", out var typeElement))
        {
            throw RequestValidationException.Invalid(path + ".type", $"'{path}.type' is required, for example 'text'.");
        }

        var type = RequireString(typeElement, path + ".type");
        switch (type)
        {
            case "text":
                return new TextContent(RequireNonEmptyStringAllowEmpty(part, "text", path));
            case "refusal" when allowRefusal:
                return new TextContent(RequireNonEmptyStringAllowEmpty(part, "refusal", path));
            case "image_url" when allowImages:
                return ParseImage(part, path);
            case "image_url":
                throw RequestValidationException.Invalid(path + ".type", $"'{path}.type' is 'image_url', but images are only allowed in user messages.");
            default:
                throw RequestValidationException.Invalid(path + ".type", $"'{path}.type' is '{GatewayText.Echo(type)}', which the gateway does not support here. Use 'text'{(allowImages ? " or 'image_url'" : string.Empty)}.");
        }
    }

    private static AIContent ParseImage(JsonElement part, string path)
    {
        if (!part.TryGetProperty("image_url", out var image) || image.ValueKind != JsonValueKind.Object)
        {
            throw RequestValidationException.Invalid(path + ".image_url", $"'{path}.image_url' is required: an object with 'url'.");
        }

        var url = RequireNonEmptyString(image, "url", path + ".image_url");
        AIContent result;
        if (url.StartsWith("data:", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                result = new DataContent(url);
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException or UriFormatException)
            {
                throw RequestValidationException.Invalid(path + ".image_url.url", $"'{path}.image_url.url' is not a valid base64 data URI ({ex.Message}).");
            }

            if (!((DataContent)result).HasTopLevelMediaType("image"))
            {
                throw RequestValidationException.Invalid(path + ".image_url.url", $"'{path}.image_url.url' must be an image data URI (data:image/...;base64,...).");
            }
        }
        else if (Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
        {
            result = new UriContent(uri, "image/*");
        }
        else
        {
            throw RequestValidationException.Invalid(path + ".image_url.url", $"'{path}.image_url.url' must be an http(s) URL or a data URI.");
        }

        if (image.TryGetProperty("detail", out var detail) && detail.ValueKind != JsonValueKind.Null)
        {
            var value = RequireString(detail, path + ".image_url.detail");
            if (value is not ("auto" or "low" or "high"))
            {
                throw RequestValidationException.Invalid(path + ".image_url.detail", $"'{path}.image_url.detail' is '{GatewayText.Echo(value)}'; use auto, low or high.");
            }

            (result.AdditionalProperties ??= [])["detail"] = value;
        }

        return result;
    }

    private static List<AITool> ParseTools(JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Array)
        {
            throw RequestValidationException.Invalid("tools", $"'tools' must be an array of tool objects, not {Describe(value)}.");
        }

        var tools = new List<AITool>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var tool in value.EnumerateArray())
        {
            var path = $"tools[{i}]";
            if (tool.ValueKind != JsonValueKind.Object)
            {
                throw RequestValidationException.Invalid(path, $"'{path}' must be an object like {{\"type\":\"function\",\"function\":{{...}}}}, not {Describe(tool)}.");
            }

            if (!tool.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || Text(type) != "function")
            {
                throw RequestValidationException.Invalid(path + ".type", $"'{path}.type' must be 'function'; other tool types are not supported.");
            }

            if (!tool.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
            {
                throw RequestValidationException.Invalid(path + ".function", $"'{path}.function' is required: an object with 'name' and optionally 'description' and 'parameters'.");
            }

            var name = RequireNonEmptyString(function, "name", path + ".function");
            if (!ToolNameRegex().IsMatch(name))
            {
                throw RequestValidationException.Invalid(path + ".function.name", $"'{path}.function.name' is '{GatewayText.Echo(name)}'; a tool name must be 1-64 letters, digits, '_' or '-'.");
            }

            if (!names.Add(name))
            {
                throw RequestValidationException.Invalid(path + ".function.name", $"'{path}.function.name' '{GatewayText.Echo(name)}' is declared twice. Tool names must be unique.");
            }

            string? description = null;
            if (function.TryGetProperty("description", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                description = RequireString(d, path + ".function.description");
            }

            var schema = s_emptyObjectSchema;
            if (function.TryGetProperty("parameters", out var parameters) && parameters.ValueKind != JsonValueKind.Null)
            {
                RequireKind(parameters, JsonValueKind.Object, path + ".function.parameters", "a JSON Schema object");
                schema = parameters.Clone();
            }

            bool? strict = null;
            if (function.TryGetProperty("strict", out var strictElement))
            {
                strict = OptionalBool(strictElement, path + ".function.strict");
            }

            tools.Add(new WireFunctionDeclaration(name, description, schema, strict));
            i++;
        }

        return tools;
    }

    private static ChatToolMode ParseToolChoice(JsonElement value, IList<AITool>? tools)
    {
        var hasTools = tools is { Count: > 0 };
        if (value.ValueKind == JsonValueKind.String)
        {
            var mode = Text(value);
            switch (mode)
            {
                case "none":
                    return ChatToolMode.None;
                case "auto" when hasTools:
                    return ChatToolMode.Auto;
                case "required" when hasTools:
                    return ChatToolMode.RequireAny;
                case "auto" or "required":
                    throw RequestValidationException.Invalid("tool_choice", $"'tool_choice' is '{GatewayText.Echo(mode)}' but no 'tools' are given. Add 'tools' or remove 'tool_choice'.");
                default:
                    throw RequestValidationException.Invalid("tool_choice", $"'tool_choice' is '{GatewayText.Echo(mode)}'; use none, auto, required or {{\"type\":\"function\",\"function\":{{\"name\":...}}}}.");
            }
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            throw RequestValidationException.Invalid("tool_choice", $"'tool_choice' must be a string or an object, not {Describe(value)}.");
        }

        if (!value.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String || Text(type) != "function")
        {
            throw RequestValidationException.Invalid("tool_choice.type", "'tool_choice.type' must be 'function'.");
        }

        if (!value.TryGetProperty("function", out var function) || function.ValueKind != JsonValueKind.Object)
        {
            throw RequestValidationException.Invalid("tool_choice.function", "'tool_choice.function' is required: an object with 'name'.");
        }

        var name = RequireNonEmptyString(function, "name", "tool_choice.function");
        if (!hasTools || !tools!.Any(t => t.Name == name))
        {
            throw RequestValidationException.Invalid("tool_choice.function.name", $"'tool_choice.function.name' is '{GatewayText.Echo(name)}', which is not one of the declared 'tools'.");
        }

        return ChatToolMode.RequireSpecific(name);
    }

    private static ChatResponseFormat ParseResponseFormat(JsonElement value, ChatOptions options)
    {
        RequireKind(value, JsonValueKind.Object, "response_format", "an object such as {\"type\":\"json_object\"}");
        if (!value.TryGetProperty("type", out var typeElement))
        {
            throw RequestValidationException.Invalid("response_format.type", "'response_format.type' is required: text, json_object or json_schema.");
        }

        var type = RequireString(typeElement, "response_format.type");
        switch (type)
        {
            case "text":
                return ChatResponseFormat.Text;
            case "json_object":
                return ChatResponseFormat.Json;
            case "json_schema":
                if (!value.TryGetProperty("json_schema", out var js) || js.ValueKind != JsonValueKind.Object)
                {
                    throw RequestValidationException.Invalid("response_format.json_schema", "'response_format.json_schema' is required for type json_schema: an object with 'name' and 'schema'.");
                }

                var name = RequireNonEmptyString(js, "name", "response_format.json_schema");
                if (!ToolNameRegex().IsMatch(name))
                {
                    throw RequestValidationException.Invalid("response_format.json_schema.name", "'response_format.json_schema.name' must be 1-64 letters, digits, '_' or '-'.");
                }

                if (!js.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.Object)
                {
                    throw RequestValidationException.Invalid("response_format.json_schema.schema", "'response_format.json_schema.schema' is required: a JSON Schema object.");
                }

                string? description = null;
                if (js.TryGetProperty("description", out var d) && d.ValueKind != JsonValueKind.Null)
                {
                    description = RequireString(d, "response_format.json_schema.description");
                }

                if (js.TryGetProperty("strict", out var strictElement) && OptionalBool(strictElement, "response_format.json_schema.strict") is { } strict)
                {
                    // CompatAI reads the schema's strictness from ChatOptions.AdditionalProperties["strict"].
                    (options.AdditionalProperties ??= [])["strict"] = strict;
                }

                return ChatResponseFormat.ForJsonSchema(schema.Clone(), name, description);
            default:
                throw RequestValidationException.Invalid("response_format.type", $"'response_format.type' is '{GatewayText.Echo(type)}'; use text, json_object or json_schema.");
        }
    }

    private static void ParseReasoningEffort(JsonElement value, ChatOptions options)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        var effort = RequireString(value, "reasoning_effort");
        ReasoningEffort? mapped = effort switch
        {
            "none" => ReasoningEffort.None,
            "low" => ReasoningEffort.Low,
            "medium" => ReasoningEffort.Medium,
            "high" => ReasoningEffort.High,
            "xhigh" => ReasoningEffort.ExtraHigh,
            "minimal" => null,
            _ => throw RequestValidationException.Invalid("reasoning_effort", $"'reasoning_effort' is '{GatewayText.Echo(effort)}'; use none, minimal, low, medium, high or xhigh."),
        };

        if (mapped is { } known)
        {
            options.Reasoning = new ReasoningOptions { Effort = known };
        }
        else
        {
            // Microsoft.Extensions.AI has no "minimal"; pass the wire value on untouched.
            (options.AdditionalProperties ??= [])["reasoning_effort"] = effort;
        }
    }

    private static void ParseModalities(JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            throw RequestValidationException.Invalid("modalities", $"'modalities' must be an array of strings, not {Describe(value)}.");
        }

        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String || Text(item) != "text")
            {
                throw RequestValidationException.Invalid("modalities", "Only the 'text' modality is supported by the gateway.");
            }
        }
    }

    private static List<string>? ParseStop(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.String:
                return [Text(value)];
            case JsonValueKind.Array:
                var stops = new List<string>();
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    stops.Add(RequireString(item, $"stop[{i}]"));
                    i++;
                }

                if (stops.Count > 4)
                {
                    throw RequestValidationException.Invalid("stop", $"'stop' has {stops.Count} sequences; at most 4 are allowed.");
                }

                return stops;
            default:
                throw RequestValidationException.Invalid("stop", $"'stop' must be a string or an array of up to 4 strings, not {Describe(value)}.");
        }
    }

    private static string RequireString(JsonElement value, string param) =>
        value.ValueKind == JsonValueKind.String
            ? Text(value)
            : throw RequestValidationException.Invalid(param, $"'{param}' must be a string, not {Describe(value)}.");

    private static string RequireNonEmptyString(JsonElement parent, string name, string parentPath)
    {
        var param = parentPath + "." + name;
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            throw RequestValidationException.Invalid(param, $"'{param}' is required.");
        }

        var text = RequireString(value, param);
        return text.Length > 0 ? text : throw RequestValidationException.Invalid(param, $"'{param}' must not be empty.");
    }

    private static string RequireNonEmptyStringAllowEmpty(JsonElement parent, string name, string parentPath)
    {
        var param = parentPath + "." + name;
        return parent.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? RequireString(value, param)
            : throw RequestValidationException.Invalid(param, $"'{param}' is required.");
    }

    private static void RequireKind(JsonElement value, JsonValueKind kind, string param, string what)
    {
        if (value.ValueKind != kind)
        {
            throw RequestValidationException.Invalid(param, $"'{param}' must be {what}, not {Describe(value)}.");
        }
    }

    private static bool? OptionalBool(JsonElement value, string param) => value.ValueKind switch
    {
        JsonValueKind.Null => null,
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw RequestValidationException.Invalid(param, $"'{param}' must be true or false, not {Describe(value)}."),
    };

    private static float? OptionalNumber(JsonElement value, string param, double min, double max)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetDouble(out var number))
        {
            throw RequestValidationException.Invalid(param, $"'{param}' must be a number between {min} and {max}, not {Describe(value)}.");
        }

        if (number < min || number > max || double.IsNaN(number))
        {
            throw RequestValidationException.Invalid(param, $"'{param}' is {number}; it must be between {min} and {max}.");
        }

        return (float)number;
    }

    private static int? OptionalPositiveInt(JsonElement value, string param)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number))
        {
            throw RequestValidationException.Invalid(param, $"'{param}' must be a whole number, not {Describe(value)}.");
        }

        return number >= 1 ? number : throw RequestValidationException.Invalid(param, $"'{param}' is {number}; it must be at least 1.");
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "missing",
    };

    [GeneratedRegex("^[a-zA-Z0-9_-]{1,64}$")]
    private static partial Regex ToolNameRegex();
}
