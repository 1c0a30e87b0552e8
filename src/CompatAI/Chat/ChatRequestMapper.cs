using System.Text;
using System.Text.Json;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using AIChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace CompatAI;

/// <summary>
/// The request-side work that Microsoft.Extensions.AI.OpenAI's <c>AsIChatClient()</c> does differently from what
/// OpenAI-compatible providers need. Everything else (roles, content parts, sampling options) is left to it.
/// </summary>
internal static class ChatRequestMapper
{
    private static readonly ChatRole s_developer = new("developer");

    /// <summary>
    /// Returns the options to pass to <c>AsIChatClient()</c>: a clone whose <see cref="ChatOptions.RawRepresentationFactory"/>
    /// builds on the caller's and adds what the upstream mapping leaves out or changes (<see cref="Apply"/>), with the
    /// properties handled there cleared so that the upstream mapping does not handle them again.
    /// </summary>
    public static ChatOptions? PrepareOptions(ChatOptions? options)
    {
        if (options is null
            || (options.Tools is not { Count: > 0 } && options.ResponseFormat is not ChatResponseFormatJson && options.ToolMode is null
                && options.TopK is null && options.AdditionalProperties is not { Count: > 0 } && string.IsNullOrEmpty(options.ModelId)))
        {
            return options;
        }

        var original = options;
        var callerFactory = options.RawRepresentationFactory;
        var clone = options.Clone();
        clone.Tools = null;
        clone.ToolMode = null;
        clone.TopK = null;
        clone.AdditionalProperties = null;
        if (clone.ResponseFormat is ChatResponseFormatJson)
        {
            clone.ResponseFormat = null;
        }

        clone.RawRepresentationFactory = client =>
        {
            var result = callerFactory?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
            Apply(result, original);
            return result;
        };
        return clone;
    }

    /// <summary>
    /// Adds to <paramref name="result"/> what only this client maps: tools and JSON schemas exactly as given (the upstream
    /// mapping rewrites them into strict form), <c>tool_choice</c> only when the caller chose one (vLLM without
    /// <c>--enable-auto-tool-choice</c> rejects the <c>"auto"</c> the upstream mapping always sends), <c>top_k</c>, the
    /// model id, and each <see cref="ChatOptions.AdditionalProperties"/> entry as an extra body field. Values already set
    /// on <paramref name="result"/> (by the caller's <see cref="ChatOptions.RawRepresentationFactory"/>) win.
    /// </summary>
    private static void Apply(ChatCompletionOptions result, ChatOptions options)
    {
        result.ResponseFormat ??= options.ResponseFormat switch
        {
            ChatResponseFormatJson { Schema: { } schema } json => OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                json.SchemaName ?? "json_schema",
                BinaryData.FromString(schema.GetRawText()),
                json.SchemaDescription,
                StrictFlag(options)),
            ChatResponseFormatJson => OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat(),
            _ => null,
        };

        if (options.Tools is { Count: > 0 } tools)
        {
            if (result.Tools.Count == 0)
            {
                foreach (var tool in tools)
                {
                    if (tool is not AIFunctionDeclaration function)
                    {
                        throw new ArgumentException($"The tool '{tool.Name}' ({tool.GetType().Name}) cannot be sent over Chat Completions; only function tools (AIFunctionDeclaration) are supported.", nameof(options));
                    }

                    result.Tools.Add(ChatTool.CreateFunctionTool(
                        function.Name,
                        function.Description,
                        BinaryData.FromString(function.JsonSchema.GetRawText()),
                        StrictFlag(options, function)));
                }
            }

            result.AllowParallelToolCalls ??= options.AllowMultipleToolCalls;
            result.ToolChoice ??= options.ToolMode switch
            {
                NoneChatToolMode => ChatToolChoice.CreateNoneChoice(),
                AutoChatToolMode => ChatToolChoice.CreateAutoChoice(),
                RequiredChatToolMode { RequiredFunctionName: { } name } => ChatToolChoice.CreateFunctionChoice(name),
                RequiredChatToolMode => ChatToolChoice.CreateRequiredChoice(),
                _ => null,
            };
        }

        if (options.ModelId is { Length: > 0 } model && !result.Patch.Contains("$.model"u8))
        {
            result.Patch.Set("$.model"u8, model);
        }

        if (options.TopK is { } topK && !result.Patch.Contains("$.top_k"u8))
        {
            result.Patch.Set("$.top_k"u8, topK);
        }

        if (options.AdditionalProperties is { Count: > 0 } extras)
        {
            foreach (var (key, value) in extras)
            {
                if (key == "strict" || string.IsNullOrEmpty(key) || LocalPropertyKeys.IsLocal(key))
                {
                    continue;
                }

                var path = Encoding.UTF8.GetBytes("$." + key);
                if (value is null)
                {
                    result.Patch.SetNull(path);
                }
                else
                {
                    var json = value is JsonElement element
                        ? Encoding.UTF8.GetBytes(element.GetRawText())
                        : JsonSerializer.SerializeToUtf8Bytes(value, AIJsonUtilities.DefaultOptions.GetTypeInfo(value.GetType()));
                    result.Patch.Set(path, BinaryData.FromBytes(json));
                }
            }
        }
    }

    /// <summary>
    /// Returns the messages to pass to <c>AsIChatClient()</c>, rejecting what Chat Completions cannot carry (which the
    /// upstream mapping silently drops) and rewriting what it would send wrongly: a tool result that holds only an
    /// exception (sent as <c>""</c>), a call with null arguments (sent as <c>"null"</c>), and author names with characters
    /// outside <c>[A-Za-z0-9_-]</c> (stripped upstream; replaced by <c>_</c> here, so names stay distinct). The caller's list
    /// is returned as it is when nothing needs rewriting.
    /// </summary>
    public static IEnumerable<AIChatMessage> PrepareMessages(IEnumerable<AIChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var list = messages as IList<AIChatMessage> ?? messages.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("The conversation is empty: send at least one message.", nameof(messages));
        }

        List<AIChatMessage>? rewritten = null;
        for (var i = 0; i < list.Count; i++)
        {
            var message = list[i] ?? throw new ArgumentException($"messages[{i}] is null.", nameof(messages));
            var fixedMessage = Check(message, i);
            if (!ReferenceEquals(fixedMessage, message) && rewritten is null)
            {
                rewritten = new List<AIChatMessage>(list.Count);
                for (var j = 0; j < i; j++)
                {
                    rewritten.Add(list[j]);
                }
            }

            rewritten?.Add(fixedMessage);
        }

        return rewritten ?? list;
    }

    [System.Diagnostics.CodeAnalysis.SuppressMessage("Usage", "CA2208:Instantiate argument exceptions correctly", Justification = "The bad value came in through the public method's 'messages' parameter; naming it tells the caller what to fix.")]
    private static AIChatMessage Check(AIChatMessage message, int index)
    {
        if (message.RawRepresentation is OpenAI.Chat.ChatMessage)
        {
            return message;
        }

        var role = message.Role;
        if (role != ChatRole.User && role != ChatRole.Assistant && role != ChatRole.System && role != ChatRole.Tool && role != s_developer)
        {
            throw new ArgumentException($"messages[{index}] has the role '{role.Value}', which Chat Completions does not have; use system, developer, user, assistant or tool.", "messages");
        }

        List<AIContent>? contents = null;
        var hasResult = false;
        for (var i = 0; i < message.Contents.Count; i++)
        {
            var content = message.Contents[i];
            AIContent replacement = content;
            switch (content)
            {
                case FunctionResultContent { Result: null, Exception: { } ex } result:
                    hasResult = true;
                    replacement = new FunctionResultContent(result.CallId, $"Error: {ex.Message}") { AdditionalProperties = result.AdditionalProperties };
                    break;
                case FunctionResultContent:
                    hasResult = true;
                    break;
                case FunctionCallContent { Arguments: null } call:
                    replacement = new FunctionCallContent(call.CallId, call.Name, new Dictionary<string, object?>(StringComparer.Ordinal)) { AdditionalProperties = call.AdditionalProperties, RawRepresentation = call.RawRepresentation };
                    break;
                case DataContent data when !data.HasTopLevelMediaType("image") && !IsAudio(data.MediaType) && data.MediaType != "application/pdf":
                    throw new ArgumentException($"messages[{index}] has a DataContent of media type '{data.MediaType}', which Chat Completions cannot carry; images, wav/mp3 audio and PDF are supported.", "messages");
                case UriContent uri when !uri.HasTopLevelMediaType("image"):
                    throw new ArgumentException($"messages[{index}] has a UriContent of media type '{uri.MediaType}'; Chat Completions accepts only image URLs.", "messages");
            }

            if (!ReferenceEquals(replacement, content))
            {
                contents ??= [.. message.Contents];
                contents[i] = replacement;
            }
        }

        if (role == ChatRole.Tool && !hasResult && message.Text is { Length: > 0 })
        {
            throw new ArgumentException($"messages[{index}] has the tool role but no FunctionResultContent: a tool message must answer a tool call by its id.", "messages");
        }

        var name = SanitizeName(message.AuthorName);
        if (contents is null && ReferenceEquals(name, message.AuthorName))
        {
            return message;
        }

        var copy = message.Clone();
        copy.AuthorName = name;
        if (contents is not null)
        {
            copy.Contents = contents;
        }

        return copy;
    }

    private static bool IsAudio(string mediaType) => mediaType is "audio/wav" or "audio/x-wav" or "audio/mpeg" or "audio/mp3";

    /// <summary>OpenAI accepts <c>name</c> only as <c>[A-Za-z0-9_-]{1,64}</c>; returns <paramref name="name"/> itself when it already is.</summary>
    private static string? SanitizeName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return name;
        }

        var valid = name.Length <= 64;
        for (var i = 0; valid && i < name.Length; i++)
        {
            valid = char.IsAsciiLetterOrDigit(name[i]) || name[i] is '_' or '-';
        }

        if (valid)
        {
            return name;
        }

        var builder = new StringBuilder(Math.Min(name.Length, 64));
        foreach (var c in name)
        {
            if (builder.Length == 64)
            {
                break;
            }

            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        return builder.ToString();
    }

    private static bool? StrictFlag(ChatOptions options, AIFunctionDeclaration? function = null)
    {
        if (function?.AdditionalProperties.TryGetValue("strict", out var f) is true && f is bool fs)
        {
            return fs;
        }

        return options.AdditionalProperties?.TryGetValue("strict", out var o) is true && o is bool os ? os : null;
    }
}
