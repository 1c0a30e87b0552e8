// CompatAI tool agent: Microsoft.Extensions.AI's function invocation, run unchanged against several providers.
//
//   dotnet run --project samples/ToolAgent        offline, against the built-in provider emulator
//
// Each provider is registered from configuration (the way an app's appsettings.json would configure it) with
// AddKeyedCompatChatClient, which returns Microsoft.Extensions.AI's ChatClientBuilder. UseFunctionInvocation() adds
// FunctionInvokingChatClient around the provider's quirk pipeline, so every request of the tool loop still gets the
// provider's fixes: Mistral's 9-character tool-call ids, DeepSeek's reasoning that must be sent back on tool-call turns,
// MiniMax's missing system role.
using System.ComponentModel;
using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

await using var emulator = await ProviderEmulator.StartAsync();

AIFunction[] tools =
[
    AIFunctionFactory.Create(([Description("City name")] string city) => Log($"clear sky, 21 °C in {city}"), "get_weather", "Gets the current weather of a city."),
    AIFunctionFactory.Create(([Description("City name")] string city) => Log($"12:00 in {city}"), "get_time", "Gets the local time of a city."),
];

(string Provider, string Model)[] targets =
[
    ("openai", "gpt-4o-mini"), ("mistral", "mistral-small-latest"), ("deepseek", "deepseek-flash"), ("minimax", "MiniMax-M2.7"), ("groq", "openai/gpt-oss-120b"),
];

var settings = new Dictionary<string, string?>();
var services = new ServiceCollection();
foreach (var (provider, model) in targets)
{
    settings[$"CompatAI:Providers:{provider}:Endpoint"] = emulator.GetEndpoint(provider).ToString();
    settings[$"CompatAI:Providers:{provider}:ApiKey"] = "emulator-key";
    settings[$"CompatAI:Providers:{provider}:Model"] = model;
    services.AddKeyedCompatChatClient(provider, provider)
        .UseFunctionInvocation(configure: static f => f.MaximumIterationsPerRequest = 5);
}

services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
await using var serviceProvider = services.BuildServiceProvider();

var options = new ChatOptions { Instructions = "You are a concise travel assistant.", Tools = [.. tools] };
int failures = 0;
foreach (var (provider, model) in targets)
{
    var client = serviceProvider.GetRequiredKeyedService<IChatClient>(provider);
    Console.WriteLine($"--- {provider} ({model})");
    try
    {
        // Streaming works the same way: GetStreamingResponseAsync(...) runs the same loop and streams every turn.
        var response = await client.GetResponseAsync("Use get_weather and get_time for Lisbon.", options);
        foreach (var content in response.Messages.SelectMany(static m => m.Contents))
        {
            switch (content)
            {
                case TextReasoningContent reasoning when reasoning.Text.Length > 0:
                    Console.WriteLine($"  (reasoning: {Shorten(reasoning.Text)})");
                    break;
                case FunctionCallContent call:
                    Console.WriteLine($"  tool call {call.CallId}: {call.Name}({string.Join(", ", call.Arguments?.Select(static a => $"{a.Key}={a.Value}") ?? [])})");
                    break;
            }
        }

        Console.WriteLine($"answer: {response.Text}");
    }
    catch (ProviderException ex)
    {
        failures++;
        Console.WriteLine($"failed: {ex.Kind} {ex.Message}");
    }
}

return failures == 0 ? 0 : 1;

static string Log(string result)
{
    Console.WriteLine($"  tool ran: {result}");
    return result;
}

static string Shorten(string text) => text.Length <= 60 ? text : text[..57] + "...";
