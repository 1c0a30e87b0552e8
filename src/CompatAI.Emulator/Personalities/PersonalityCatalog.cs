namespace CompatAI.Emulator;

/// <summary>All built-in personalities, looked up by path segment (case-insensitive).</summary>
internal sealed class PersonalityCatalog
{
    private readonly Dictionary<string, Personality> _byName;

    public PersonalityCatalog()
    {
        Personality[] all =
        [
            new OpenAIPersonality(), new GroqPersonality(), new DeepSeekPersonality(), new OpenRouterPersonality(),
            new MistralPersonality(), new MiniMaxPersonality(), new PerplexityPersonality(), new VllmPersonality(),
            new LlamaCppPersonality(), new LmStudioPersonality(), new LiteLlmPersonality(),
        ];
        _byName = all.ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase);
        Names = [.. all.Select(p => p.Name)];
    }

    public IReadOnlyList<string> Names { get; }

    public Personality? Find(string name) => _byName.GetValueOrDefault(name);
}
