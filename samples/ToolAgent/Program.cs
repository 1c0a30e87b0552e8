// CompatAI tool agent: the tool-calling loop written once, run unchanged against several providers.
//
//   dotnet run --project samples/ToolAgent        offline, against the built-in provider emulator
//
// Microsoft.Extensions.AI's FunctionInvokingChatClient does this loop for apps that reference Microsoft.Extensions.AI
// (new ChatClientBuilder(client).UseFunctionInvocation().Build()); this sample spells it out with AIFunctionFactory only.
// The provider's default pipeline is what makes the same code work everywhere: Mistral's 9-character tool-call ids,
// DeepSeek's reasoning that must be sent back on tool-call turns, MiniMax's missing system role. Here the clients come
// from dependency injection, configured the way an app's appsettings.json would configure them.
using System.ComponentModel;
using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

await using var emulator = await ProviderEmulator.StartAsync();

AIFunction[] tools =
[
    AIFunctionFactory.Create(([Description("City name")] string city) => $"clear sky, 21 °C in {city}", "get_weather", "Gets the current weather of a city."),
    AIFunctionFactory.Create(([Description("City name")] string city) => $"12:00 in {city}", "get_time", "Gets the local time of a city."),
];

(string Provider, string Model)[] targets =
[
    ("openai", "gpt-4o-mini"), ("mistral", "mistral-small-latest"), ("deepseek", "deepseek-v4-flash"), ("minimax", "MiniMax-M2"), ("groq", "llama-3.3-70b-versatile"),
];

var settings = new Dictionary<string, string?>();
var services = new ServiceCollection();
foreach (var (provider, model) in targets)
{
    settings[$"CompatAI:Providers:{provider}:Endpoint"] = emulator.GetEndpoint(provider).ToString();
    settings[$"CompatAI:Providers:{provider}:ApiKey"] = "emulator-key";
    settings[$"CompatAI:Providers:{provider}:Model"] = model;
    services.AddKeyedCompatChatClient(provider, provider);
}

services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
await using var serviceProvider = services.BuildServiceProvider();

foreach (var (provider, model) in targets)
{
    var client = serviceProvider.GetRequiredKeyedService<IChatClient>(provider);
    Console.WriteLine($"--- {provider} ({model})");
    try
    {
        var answer = await Agent.RunAsync(client, tools, "Use get_weather and get_time for Lisbon.");
        Console.WriteLine($"answer: {answer}");
    }
    catch (ProviderException ex)
    {
        Console.WriteLine($"failed: {ex.Kind} {ex.Message}");
    }
}

/// <summary>The tool loop: ask, run the tools the model calls, send the results back, until the model answers in text.</summary>
internal static class Agent
{
    public static async Task<string> RunAsync(IChatClient client, IReadOnlyList<AIFunction> tools, string question, CancellationToken cancellationToken = default)
    {
        var byName = tools.ToDictionary(static t => t.Name);
        var options = new ChatOptions { Tools = [.. tools] };
        List<ChatMessage> history = [new(ChatRole.System, "You are a concise travel assistant."), new(ChatRole.User, question)];
        for (int round = 0; round < 5; round++)
        {
            // Streaming works the same way: GetStreamingResponseAsync(...).ToChatResponseAsync().
            var response = await client.GetResponseAsync(history, options, cancellationToken);
            history.AddRange(response.Messages);

            var reasoning = string.Concat(response.Messages.SelectMany(static m => m.Contents).OfType<TextReasoningContent>().Select(static r => r.Text));
            if (reasoning.Length > 0)
            {
                Console.WriteLine($"  (reasoning: {Shorten(reasoning)})");
            }

            var calls = response.Messages.SelectMany(static m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                return response.Text;
            }

            var results = new List<AIContent>();
            foreach (var call in calls)
            {
                Console.WriteLine($"  tool call {call.CallId}: {call.Name}({string.Join(", ", call.Arguments?.Select(static a => $"{a.Key}={a.Value}") ?? [])})");
                var result = await byName[call.Name].InvokeAsync(new AIFunctionArguments(call.Arguments), cancellationToken);
                results.Add(new FunctionResultContent(call.CallId, result));
            }

            // The assistant message with its tool calls (and reasoning) stays in the history: the pipeline decides
            // per provider what of it goes back on the wire.
            history.Add(new ChatMessage(ChatRole.Tool, results));
        }

        throw new InvalidOperationException("The model kept calling tools; giving up after 5 rounds.");
    }

    private static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
}
