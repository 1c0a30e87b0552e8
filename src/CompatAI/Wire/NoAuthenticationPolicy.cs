using System.ClientModel.Primitives;

namespace CompatAI;

/// <summary>Sends no credential at all, for local servers (Ollama, llama.cpp, LM Studio) that need none.</summary>
internal sealed class NoAuthenticationPolicy : AuthenticationPolicy
{
    public static NoAuthenticationPolicy Instance { get; } = new();

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        message.Request.Headers.Remove("Authorization");
        ProcessNext(message, pipeline, currentIndex);
    }

    public override ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        message.Request.Headers.Remove("Authorization");
        return ProcessNextAsync(message, pipeline, currentIndex);
    }
}
