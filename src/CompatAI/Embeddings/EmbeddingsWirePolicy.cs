using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text.Json.Nodes;

namespace CompatAI;

/// <summary>
/// Leaves <c>encoding_format</c> out of <c>/embeddings</c> requests for providers whose profile says they reject it (the
/// OpenAI SDK always sends <c>base64</c>); they then answer float arrays, which the SDK (2.15) reads as well as base64,
/// so both answers give the same floats.
/// </summary>
internal sealed class EmbeddingsWirePolicy(ProviderProfile profile) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        throw new NotSupportedException("CompatAI's OpenAI-compatible clients only issue asynchronous requests.");

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        if (profile.Embeddings?.OmitEncodingFormat == true
            && message.Request.Content is { } content
            && message.Request.Uri?.AbsolutePath.EndsWith("/embeddings", StringComparison.OrdinalIgnoreCase) == true)
        {
            using var buffer = new MemoryStream();
            await content.WriteToAsync(buffer, message.CancellationToken).ConfigureAwait(false);
            if (JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)) is JsonObject body && body.Remove("encoding_format"))
            {
                message.Request.Content = BinaryContent.Create(BinaryData.FromString(body.ToJsonString()));
                CompatTelemetry.WireRepair(profile.Name, CompatTelemetry.RepairEncodingFormatOmitted);
            }
        }

        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
    }
}
