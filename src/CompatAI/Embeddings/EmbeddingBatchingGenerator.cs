using Microsoft.Extensions.AI;

namespace CompatAI;

/// <summary>
/// Splits a batch larger than the provider's input limit into several requests, sent one after another, and re-joins
/// the embeddings in input order with their usage summed.
/// </summary>
internal sealed class EmbeddingBatchingGenerator(IEmbeddingGenerator<string, Embedding<float>> innerGenerator, int maxInputs)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(innerGenerator)
{
    public override async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var inputs = values as IReadOnlyList<string> ?? [.. values];
        if (inputs.Count <= maxInputs)
        {
            return await base.GenerateAsync(inputs, options, cancellationToken).ConfigureAwait(false);
        }

        var all = new List<Embedding<float>>(inputs.Count);
        UsageDetails? usage = null;
        AdditionalPropertiesDictionary? additional = null;
        for (var start = 0; start < inputs.Count; start += maxInputs)
        {
            var batch = new string[Math.Min(maxInputs, inputs.Count - start)];
            for (var i = 0; i < batch.Length; i++)
            {
                batch[i] = inputs[start + i];
            }

            var part = await base.GenerateAsync(batch, options, cancellationToken).ConfigureAwait(false);
            if (part.Count != batch.Length)
            {
                throw new InvalidOperationException($"The provider returned {part.Count} embeddings for a batch of {batch.Length} inputs.");
            }

            all.AddRange(part);
            if (part.Usage is { } partUsage)
            {
                (usage ??= new UsageDetails()).Add(partUsage);
            }

            additional ??= part.AdditionalProperties;
        }

        return new GeneratedEmbeddings<Embedding<float>>(all) { Usage = usage, AdditionalProperties = additional };
    }
}
