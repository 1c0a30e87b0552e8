// CompatAI quickstart: one IChatClient, any OpenAI-compatible provider.
//
//   dotnet run --project samples/Quickstart                      offline tour against the built-in provider emulator
//   GROQ_API_KEY=... dotnet run --project samples/Quickstart -- --provider groq [--model openai/gpt-oss-120b]
//
// Offline, the emulator answers deterministically in each provider's real wire format, so every step below is
// exactly what the same code does against the real service.
using System.ComponentModel;
using CompatAI;
using CompatAI.Emulator;
using Microsoft.Extensions.AI;

var provider = ArgValue(args, "--provider");
var model = ArgValue(args, "--model");

if (provider is not null)
{
    // Real service: the key comes from the provider's environment variable (GROQ_API_KEY, DEEPSEEK_API_KEY, ...).
    using var live = CompatChatClient.Create(new CompatChatClientOptions { Provider = provider, Model = model });
    await Tour.RunAsync(live, label: provider);
    return 0;
}

await using var emulator = await ProviderEmulator.StartAsync();
Console.WriteLine($"Provider emulator listening on {emulator.BaseUrl} (personalities: {string.Join(", ", emulator.Personalities)})");

IChatClient ForPersonality(string personality, string model, int retries = 2) => CompatChatClient.Create(new CompatChatClientOptions
{
    Provider = personality,
    Endpoint = emulator.GetEndpoint(personality),
    ApiKey = "emulator-key",
    Model = model,
    Retry = new RetryOptions { MaxRetries = retries, BaseDelay = TimeSpan.FromMilliseconds(50) },
});

using (var deepseek = ForPersonality("deepseek", "deepseek-flash"))
{
    await Tour.RunAsync(deepseek, label: "deepseek (emulated)");
}

Tour.Heading("Reasoning in <think> tags (an R1 model on llama.cpp) comes out separated, tags split across chunks included");
using (var llamacpp = ForPersonality("llamacpp", "deepseek-r1-distill-qwen-7b"))
{
    var answer = await llamacpp.GetStreamingResponseAsync("What is 2+2?").ToChatResponseAsync();
    var reasoning = string.Concat(answer.Messages.SelectMany(m => m.Contents).OfType<TextReasoningContent>().Select(r => r.Text));
    Console.WriteLine($"reasoning: {reasoning.Trim()}");
    Console.WriteLine($"answer:    {answer.Text.Trim()}");
}

Tour.Heading("A system prompt on MiniMax, which rejects the system role (the bare adapter gets HTTP 400)");
using (var minimax = ForPersonality("minimax", "MiniMax-M1"))
{
    var answer = await minimax.GetResponseAsync("Hi!", new ChatOptions { Instructions = "Answer like a pirate." });
    Console.WriteLine($"answer: {answer.Text}");
}

Tour.Heading("Parameters Mistral spells differently are rewritten before the request leaves");
using (var mistral = ForPersonality("mistral", "mistral-large-latest"))
{
    var options = new ChatOptions { Seed = 42, MaxOutputTokens = 64, ToolMode = ChatToolMode.RequireAny, Tools = [AIFunctionFactory.Create((string city) => city, "get_weather")] };
    var answer = await mistral.GetResponseAsync("Weather in Lyon?", options);
    var call = answer.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().First();
    Console.WriteLine($"tool call: {call.Name} id={call.CallId}");
    if (answer.AdditionalProperties?.TryGetValue(ParameterSanitizingChatClient.ChangesKey, out var changes) is true && changes is IEnumerable<SanitizerChange> list)
    {
        Console.WriteLine($"sanitizer changes: {string.Join("; ", list.Select(c => $"{c.Parameter}: {c.Action}"))}");
    }
}

Tour.Heading("A fallback chain: OpenAI is down, Groq answers");
{
    emulator.EnqueueFault("openai", new EmulatorFault { StatusCode = 503, Times = 1 });
    using var chain = new FallbackChatClient([ForPersonality("openai", "gpt-4o-mini", retries: 0), ForPersonality("groq", "openai/gpt-oss-120b")]);
    var answer = await chain.GetResponseAsync("Who answered?");
    Console.WriteLine($"answer: {answer.Text} (served by {answer.AdditionalProperties?[FallbackChatClient.ProviderKey]}, attempts {answer.AdditionalProperties?[FallbackChatClient.AttemptsKey]})");
}

Tour.Heading("A typed error: the provider is overloaded, retries are exhausted");
using (var openai = ForPersonality("openai", "gpt-4o-mini", retries: 1))
{
    emulator.EnqueueFault("openai", new EmulatorFault { StatusCode = 503, Times = 2 });
    try
    {
        await openai.GetResponseAsync("Hello?");
    }
    catch (ProviderException ex)
    {
        Console.WriteLine($"ProviderException: provider={ex.ProviderName} status={ex.StatusCode} kind={ex.Kind} attempts={ex.Attempts.Count}");
        Console.WriteLine($"  {ex.Message}");
    }
}

Tour.Heading("A typed error: rate limited, with the provider's Retry-After");
using (var groq = ForPersonality("groq", "openai/gpt-oss-120b", retries: 0))
{
    emulator.EnqueueFault("groq", EmulatorFault.WithStatus(429, TimeSpan.FromSeconds(7)));
    try
    {
        await groq.GetResponseAsync("Hello?");
    }
    catch (ProviderException ex)
    {
        // Groq's real 429 body for a per-day token limit: a quota, not a short rate limit, so a fallback chain moves on.
        Console.WriteLine($"ProviderException: status={ex.StatusCode} kind={ex.Kind} retryAfter={ex.RetryAfter?.TotalSeconds}s code={ex.ErrorCode}");
    }
}

Tour.Heading("Embeddings: LM Studio answers floats although base64 is asked for, LiteLLM rejects encoding_format; both read the same");
foreach (var (personality, embeddingModel) in new[] { ("lmstudio", "text-embedding-nomic-embed-text-v1.5"), ("litellm", "gemini-embedding-001") })
{
    using var embedder = CompatEmbeddingGenerator.Create(new CompatEmbeddingGeneratorOptions
    {
        Provider = personality,
        Endpoint = emulator.GetEndpoint(personality),
        Model = embeddingModel,
    });
    var vectors = await embedder.GenerateAsync(["The sky is blue.", "Grass is green."]);
    Console.WriteLine($"{personality}: {vectors.Count} vectors of {vectors[0].Vector.Length} floats, usage {vectors.Usage?.InputTokenCount} tokens");
}

Tour.Heading("Fill-in-the-middle on DeepSeek's beta text completions endpoint");
{
    var completions = new CompletionClient(new CompletionClientOptions { Provider = "deepseek", Endpoint = emulator.GetEndpoint("deepseek"), ApiKey = "emulator-key" });
    var completion = await completions.CompleteAsync(new CompletionRequest("def fib(n):") { Suffix = "    return fib(n - 1) + fib(n - 2)", MaxTokens = 64 });
    Console.WriteLine($"completion: {completion.Text} (finish={completion.FinishReason})");
}

Tour.Heading("Counting tokens before sending: exact for OpenAI models, an estimate for the rest");
{
    List<ChatMessage> prompt = [new(ChatRole.System, "You are terse."), new(ChatRole.User, "In one sentence: why is the sky blue?")];
    foreach (var countModel in new[] { "gpt-4o-mini", "gpt-4", "openai/gpt-oss-120b" })
    {
        var count = TokenCounter.ForModel(countModel).CountChat(prompt);
        Console.WriteLine($"{countModel}: {count.Tokens} prompt tokens ({count.Encoding}{(count.IsEstimate ? ", estimate" : ", exact")})");
    }
}

Console.WriteLine();
Console.WriteLine("Done. Point the same code at a real provider with --provider <name> and its API key in the environment.");
return 0;

static string? ArgValue(string[] args, string name)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
}

/// <summary>The part of the tour that runs the same way against the emulator and a real provider.</summary>
internal static class Tour
{
    public static void Heading(string text)
    {
        Console.WriteLine();
        Console.WriteLine($"== {text}");
    }

    [Description("Gets the current weather for a city.")]
    private static string GetWeather([Description("City name")] string city) => $"{{\"city\":\"{city}\",\"sky\":\"clear\",\"celsius\":21}}";

    [Description("Converts a temperature from Celsius to Fahrenheit.")]
    private static double ToFahrenheit([Description("Degrees Celsius")] double celsius) => (celsius * 9 / 5) + 32;

    public static async Task RunAsync(IChatClient client, string label)
    {
        var metadata = client.GetService<ChatClientMetadata>();
        Heading($"Streaming an answer from {label} ({metadata?.ProviderName} at {metadata?.ProviderUri}, model {metadata?.DefaultModelId})");
        var updates = new List<ChatResponseUpdate>();
        var inReasoning = false;
        await foreach (var update in client.GetStreamingResponseAsync("In one sentence: why is the sky blue?"))
        {
            updates.Add(update);
            foreach (var content in update.Contents)
            {
                switch (content)
                {
                    case TextReasoningContent reasoning:
                        if (!inReasoning)
                        {
                            Console.Write("[reasoning] ");
                            inReasoning = true;
                        }

                        Console.Write(reasoning.Text);
                        break;
                    case TextContent text:
                        if (inReasoning)
                        {
                            Console.Write(Environment.NewLine + "[answer] ");
                            inReasoning = false;
                        }

                        Console.Write(text.Text);
                        break;
                }
            }
        }

        Console.WriteLine();
        var response = updates.ToChatResponse();
        Console.WriteLine($"finish={response.FinishReason} usage: in={response.Usage?.InputTokenCount} out={response.Usage?.OutputTokenCount} reasoning={response.Usage?.ReasoningTokenCount} cached={response.Usage?.CachedInputTokenCount}");

        Heading("A streamed tool-call round trip (two tools, AIFunctionFactory)");
        AIFunction[] tools = [AIFunctionFactory.Create(GetWeather), AIFunctionFactory.Create(ToFahrenheit)];
        var options = new ChatOptions { Tools = [.. tools] };
        List<ChatMessage> conversation = [new(ChatRole.User, "What is the weather in Paris? Call GetWeather({\"city\":\"Paris\"}), then answer.")];
        for (var round = 0; round < 4; round++)
        {
            var turn = await client.GetStreamingResponseAsync(conversation, options).ToChatResponseAsync();
            conversation.AddMessages(turn);
            var calls = turn.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().ToList();
            if (calls.Count == 0)
            {
                Console.WriteLine($"assistant: {turn.Text}");
                break;
            }

            var results = new List<AIContent>();
            foreach (var call in calls)
            {
                var tool = tools.First(t => t.Name == call.Name);
                var result = await tool.InvokeAsync(new AIFunctionArguments(call.Arguments));
                Console.WriteLine($"tool call {call.CallId}: {call.Name}({string.Join(", ", call.Arguments?.Select(a => $"{a.Key}={a.Value}") ?? [])}) -> {result}");
                results.Add(new FunctionResultContent(call.CallId, result));
            }

            conversation.Add(new ChatMessage(ChatRole.Tool, results));
        }
    }
}
