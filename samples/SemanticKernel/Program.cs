// Semantic Kernel on CompatAI: a kernel whose chat service is CompatAI's IChatClient, with a plugin called through
// Semantic Kernel's automatic function calling, non-streaming and streaming.
//
//   dotnet run --project samples/SemanticKernel        offline, against the built-in provider emulator (DeepSeek)
//
// Semantic Kernel 1.82 talks to Microsoft.Extensions.AI chat clients natively: the client is registered with
// AddCompatChatClient (configured the way an app's appsettings.json would), UseKernelFunctionInvocation() adds Semantic
// Kernel's function-invoking client (which runs the kernel's plugins and filters) around the provider's quirk
// pipeline, and AsChatCompletionService() serves ChatHistory-based chat. The model here is DeepSeek in thinking mode,
// which rejects a tool-call turn sent back without its reasoning: CompatAI replays it within a tool loop, and fills in
// a placeholder for the turns Semantic Kernel's ChatHistory kept without reasoning.
using System.ComponentModel;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

await using var emulator = await ProviderEmulator.StartAsync();

var builder = Kernel.CreateBuilder();
builder.Services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
{
    ["CompatAI:Providers:deepseek:Endpoint"] = emulator.GetEndpoint("deepseek").ToString(),
    ["CompatAI:Providers:deepseek:ApiKey"] = "emulator-key",
    ["CompatAI:Providers:deepseek:Model"] = "deepseek-flash",
}).Build());
builder.Services.AddCompatChatClient("deepseek").UseKernelFunctionInvocation();
builder.Plugins.AddFromType<TravelPlugin>("travel");
var kernel = builder.Build();

var settings = new PromptExecutionSettings { FunctionChoiceBehavior = FunctionChoiceBehavior.Auto() };

Console.WriteLine("--- prompt function (the result holds Microsoft.Extensions.AI's ChatResponse, reasoning included)");
// Semantic Kernel names plugin functions <plugin>_<function> on the wire; the emulator calls the tools the prompt names.
var result = await kernel.InvokePromptAsync("""Check travel_get_weather({"city":"Lisbon"}) and travel_get_time({"city":"Lisbon"}).""", new KernelArguments(settings));
var response = result.GetValue<ChatResponse>()!;
foreach (var message in response.Messages)
{
    foreach (var reasoning in message.Contents.OfType<TextReasoningContent>())
    {
        Console.WriteLine($"  ({message.Role} reasoning: {reasoning.Text})");
    }
}

Console.WriteLine($"answer: {response.Text}");

Console.WriteLine("--- chat with a ChatHistory");
var chat = kernel.GetRequiredService<IChatClient>().AsChatCompletionService(kernel.Services);
ChatHistory history = new("You are a concise travel assistant.");
history.AddUserMessage("""Check travel_get_weather({"city":"Porto"}) and travel_get_time({"city":"Porto"}).""");
var reply = await chat.GetChatMessageContentAsync(history, settings, kernel);
history.Add(reply);
Console.WriteLine($"answer: {reply.Content}");

Console.WriteLine("--- streaming, continuing the same ChatHistory (its tool-call turn kept no reasoning)");
history.AddUserMessage("""Now check travel_get_weather({"city":"Faro"}).""");
var streamed = new System.Text.StringBuilder();
await foreach (var update in chat.GetStreamingChatMessageContentsAsync(history, settings, kernel))
{
    Console.Write(update.Content);
    streamed.Append(update.Content);
}

Console.WriteLine();
history.AddAssistantMessage(streamed.ToString());
return streamed.Length > 0 && reply.Content is { Length: > 0 } ? 0 : 1;

/// <summary>The plugin: Semantic Kernel advertises each [KernelFunction] method as a tool.</summary>
internal sealed class TravelPlugin
{
    [KernelFunction("get_weather"), Description("Gets the current weather of a city.")]
    public string GetWeather([Description("City name")] string city)
    {
        Console.WriteLine($"  travel.get_weather({city})");
        return $"clear sky, 21 °C in {city}";
    }

    [KernelFunction("get_time"), Description("Gets the local time of a city.")]
    public string GetTime([Description("City name")] string city)
    {
        Console.WriteLine($"  travel.get_time({city})");
        return $"12:00 in {city}";
    }
}
