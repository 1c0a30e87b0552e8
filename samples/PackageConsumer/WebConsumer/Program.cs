// A minimal ASP.NET Core app that uses CompatAI from its packages: AddCompatChatClient registers the IChatClient that
// POST /ask uses. Offline, the CompatAI.Emulator package plays the provider on 127.0.0.1.
//
//   dotnet run --project samples/PackageConsumer/WebConsumer                  serves POST /ask {"question": "..."}
//   dotnet run --project samples/PackageConsumer/WebConsumer -- --self-test   starts on a free loopback port, asks itself once, stops
using System.Net.Http.Json;
using CompatAI.Emulator;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.AI;

var selfTest = args.Contains("--self-test");
await using var emulator = await ProviderEmulator.StartAsync();

var builder = WebApplication.CreateBuilder(args.Where(a => a != "--self-test").ToArray());
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["CompatAI:Providers:mistral:Endpoint"] = emulator.GetEndpoint("mistral").AbsoluteUri,
    ["CompatAI:Providers:mistral:ApiKey"] = "emulator-key",
    ["CompatAI:Providers:mistral:Model"] = "mistral-large-latest",
});
builder.Services.AddCompatChatClient("mistral").UseLogging();
if (selfTest)
{
    builder.WebHost.UseUrls("http://127.0.0.1:0");
}

var app = builder.Build();
app.MapPost("/ask", async (Question question, IChatClient chat, CancellationToken cancellationToken) =>
{
    // Seed is a parameter Mistral spells random_seed: CompatAI rewrites it on the way out.
    var response = await chat.GetResponseAsync(question.Text, new ChatOptions { Seed = 7 }, cancellationToken);
    return new Answer(response.Text, response.ModelId);
});

if (!selfTest)
{
    await app.RunAsync();
    return 0;
}

await app.StartAsync();
var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
using var http = new HttpClient { BaseAddress = new Uri(address) };
using var reply = await http.PostAsJsonAsync("/ask", new Question("Hello from a package consumer"));
var answer = reply.IsSuccessStatusCode ? await reply.Content.ReadFromJsonAsync<Answer>() : null;
var seedArrived = emulator.Requests.Any(r => r.Personality == "mistral" && r.Body.Contains("\"random_seed\"", StringComparison.Ordinal));
await app.StopAsync();

var ok = answer is { Text.Length: > 0 } && seedArrived;
Console.WriteLine($"POST {address}/ask -> {(int)reply.StatusCode}: {answer?.Text}");
Console.WriteLine($"mistral received random_seed: {seedArrived}");
Console.WriteLine(ok ? "package consumer (web): all checks passed" : "package consumer (web): FAILED");
return ok ? 0 : 1;

internal sealed record Question(string Text);

internal sealed record Answer(string Text, string? Model);
