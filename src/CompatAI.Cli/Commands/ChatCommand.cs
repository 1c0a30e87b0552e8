using System.CommandLine;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Spectre.Console;

namespace CompatAI.Cli.Commands;

/// <summary><c>compatai chat</c>: a one-shot or interactive streaming chat through the full CompatAI pipeline.</summary>
internal static class ChatCommand
{
    public static Command Create(CliContext context)
    {
        var common = new CommonOptions();
        var prompt = new Option<string?>("--prompt") { Description = "Send this one message and exit; without it, read messages from standard input until an empty line." };
        var command = new Command("chat", "Chat through the CompatAI pipeline: streamed answer, reasoning shown dimmed, token usage at the end.");
        common.AddTo(command);
        command.Add(prompt);
        command.SetAction((result, cancellationToken) =>
            RunAsync(context, common.Read(result), result.GetValue(prompt), result.GetValue(common.Json), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(CliContext context, ConnectionRequest request, string? prompt, bool json, CancellationToken cancellationToken)
    {
        var settings = ConnectionResolver.Resolve(request);
        if (settings.Profile is null || settings.Configuration.Status == CheckStatus.Fail)
        {
            await context.Error.WriteLineAsync($"{settings.Configuration.Detail} {settings.Configuration.Fix}");
            return ExitCodes.Usage;
        }

        IChatClient client;
        try
        {
            var options = settings.ClientOptions;
            options.Model = settings.Model;
            client = CompatChatClient.Create(options);
        }
        catch (ArgumentException ex)
        {
            await context.Error.WriteLineAsync(ex.Message);
            return ExitCodes.Usage;
        }

        using (client)
        {
            var history = new List<ChatMessage>();
            var results = new JsonArray();
            foreach (var line in Prompts(context, prompt))
            {
                history.Add(new ChatMessage(ChatRole.User, line));
                try
                {
                    var turn = await StreamTurnAsync(context, client, history, json, cancellationToken);
                    results.Add(turn);
                }
                catch (ProviderException ex)
                {
                    await context.Error.WriteLineAsync($"{ex.Kind}: {ex.Message}");
                    return ExitCodes.Failure;
                }
            }

            if (json)
            {
                await JsonOutput.WriteAsync(context.Output, prompt is not null && results.Count == 1 ? results[0]!.DeepClone() : results);
            }
        }

        return ExitCodes.Success;
    }

    private static IEnumerable<string> Prompts(CliContext context, string? prompt)
    {
        if (prompt is not null)
        {
            yield return prompt;
            yield break;
        }

        while (context.Input.ReadLine() is { Length: > 0 } line && line != "/exit")
        {
            yield return line;
        }
    }

    private static async Task<JsonObject> StreamTurnAsync(CliContext context, IChatClient client, List<ChatMessage> history, bool json, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var reasoning = new StringBuilder();
        var updates = new List<ChatResponseUpdate>();
        var inReasoning = false;
        await foreach (var update in client.GetStreamingResponseAsync(history, cancellationToken: cancellationToken))
        {
            updates.Add(update);
            foreach (var content in update.Contents)
            {
                switch (content)
                {
                    case TextReasoningContent thinking when !string.IsNullOrEmpty(thinking.Text):
                        reasoning.Append(thinking.Text);
                        if (!json)
                        {
                            if (context.IsTerminal)
                            {
                                AnsiConsole.Markup($"[dim]{Markup.Escape(thinking.Text)}[/]");
                            }
                            else
                            {
                                await context.Output.WriteAsync(inReasoning ? thinking.Text : "[reasoning] " + thinking.Text);
                            }
                        }

                        inReasoning = true;
                        break;
                    case TextContent { Text.Length: > 0 } piece:
                        if (!json)
                        {
                            if (inReasoning)
                            {
                                await context.Output.WriteLineAsync();
                                inReasoning = false;
                            }

                            await context.Output.WriteAsync(piece.Text);
                        }

                        text.Append(piece.Text);
                        break;
                }
            }
        }

        var response = updates.ToChatResponse();
        history.AddRange(response.Messages);
        var usage = response.Usage;
        if (!json)
        {
            await context.Output.WriteLineAsync();
            if (usage is not null)
            {
                var line = $"usage: {usage.InputTokenCount} in, {usage.OutputTokenCount} out, {usage.TotalTokenCount} total";
                if (context.IsTerminal)
                {
                    AnsiConsole.MarkupLine($"[grey]{Markup.Escape(line)}[/]");
                }
                else
                {
                    await context.Output.WriteLineAsync(line);
                }
            }
        }

        return new JsonObject
        {
            ["text"] = text.ToString(),
            ["reasoning"] = reasoning.Length > 0 ? reasoning.ToString() : null,
            ["finishReason"] = response.FinishReason?.Value,
            ["model"] = response.ModelId,
            ["usage"] = usage is null ? null : new JsonObject
            {
                ["inputTokens"] = usage.InputTokenCount,
                ["outputTokens"] = usage.OutputTokenCount,
                ["totalTokens"] = usage.TotalTokenCount,
            },
        };
    }
}
