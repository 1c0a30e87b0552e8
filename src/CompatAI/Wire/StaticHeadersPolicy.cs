using System.ClientModel.Primitives;

namespace CompatAI;

/// <summary>Sets the provider's fixed headers (for example OpenRouter's <c>HTTP-Referer</c>) on every request.</summary>
internal sealed class StaticHeadersPolicy(IReadOnlyList<KeyValuePair<string, string>> headers) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message);
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Apply(message);
        return ProcessNextAsync(message, pipeline, currentIndex);
    }

    private void Apply(PipelineMessage message)
    {
        foreach (var (name, value) in headers)
        {
            message.Request.Headers.Set(name, value);
        }
    }
}
