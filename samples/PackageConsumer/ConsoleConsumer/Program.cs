// A console app that uses CompatAI the way a user does: installed from packages, configured through
// Microsoft.Extensions.Configuration, resolved from dependency injection, talking to the CompatAI.Emulator package's
// offline providers on 127.0.0.1.
//
//   dotnet run --project samples/PackageConsumer/ConsoleConsumer            the checks below; exit code 0 when all pass
//   dotnet run --project samples/PackageConsumer/ConsoleConsumer -- serve   only serve the emulator, until SIGTERM/Ctrl+C
using System.Reflection;
using System.Runtime.InteropServices;
using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

if (args is ["serve"])
{
    await using var served = await ProviderEmulator.StartAsync();
    var stopped = new TaskCompletionSource();
    using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
    {
        context.Cancel = true;
        stopped.TrySetResult();
    });
    Console.CancelKeyPress += (_, e) =>
    {
        e.Cancel = true;
        stopped.TrySetResult();
    };
    Console.WriteLine($"emulator listening on {served.BaseUrl}");
    await stopped.Task;
    return 0;
}

await using var emulator = await ProviderEmulator.StartAsync();

var builder = Host.CreateApplicationBuilder(args);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["CompatAI:Providers:groq:Endpoint"] = emulator.GetEndpoint("groq").AbsoluteUri,
    ["CompatAI:Providers:groq:ApiKey"] = "emulator-key",
    ["CompatAI:Providers:groq:Model"] = "llama-3.3-70b-versatile",
    ["CompatAI:Providers:deepseek:Endpoint"] = emulator.GetEndpoint("deepseek").AbsoluteUri,
    ["CompatAI:Providers:deepseek:ApiKey"] = "emulator-key",
    ["CompatAI:Providers:deepseek:Model"] = "deepseek-reasoner",
});
builder.Services.AddCompatChatClient("groq");
builder.Services.AddKeyedCompatChatClient("deepseek", "deepseek");
using var host = builder.Build();

var failures = 0;
void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    failures += ok ? 0 : 1;
}

Console.WriteLine($"CompatAI {Version(typeof(CompatChatClient))}, CompatAI.Emulator {Version(typeof(ProviderEmulator))}");

var groq = host.Services.GetRequiredService<IChatClient>();
var answer = await groq.GetResponseAsync("Hello from a package consumer");
Check(answer.Text.Length > 0, $"groq via AddCompatChatClient answered: {answer.Text}");

var deepseek = host.Services.GetRequiredKeyedService<IChatClient>("deepseek");
var streamed = await deepseek.GetStreamingResponseAsync("What is 2+2?").ToChatResponseAsync();
var reasoning = string.Concat(streamed.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
Check(streamed.Text.Length > 0 && reasoning.Length > 0, $"deepseek (keyed) streamed an answer with separate reasoning: {streamed.Text.Trim()}");

var personalities = emulator.Requests.Select(r => r.Personality).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
Check(personalities.SequenceEqual(["deepseek", "groq"]), $"the emulator saw requests for: {string.Join(", ", personalities)}");

Console.WriteLine(failures == 0 ? "package consumer (console): all checks passed" : $"package consumer (console): {failures} check(s) failed");
return failures == 0 ? 0 : 1;

static string Version(Type type) =>
    type.Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "?";
