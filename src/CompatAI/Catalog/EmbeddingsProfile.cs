namespace CompatAI;

/// <summary>
/// What a provider's <c>/embeddings</c> endpoint needs: its default model and dimensions, how many inputs one request
/// may carry, and whether <c>encoding_format</c> must be left out. A profile without it does not serve embeddings (or
/// CompatAI has no record that it does); an application can add it through a catalog override.
/// </summary>
public sealed class EmbeddingsProfile
{
    /// <summary>Gets the embedding model used when the caller names none; <see langword="null"/> when the server has no fixed default (self-hosted servers embed with whatever model they were started with).</summary>
    public string? DefaultModel { get; init; }

    /// <summary>Gets the number of dimensions <see cref="DefaultModel"/> returns when none are asked for, when known.</summary>
    public int? Dimensions { get; init; }

    /// <summary>Gets the most inputs one request may carry; larger batches are split into several requests and re-joined in order. <see langword="null"/>: no known limit.</summary>
    public int? MaxInputs { get; init; }

    /// <summary>
    /// Gets whether the provider rejects the <c>encoding_format</c> parameter (the OpenAI SDK always sends <c>base64</c>);
    /// when set, it is left out and the provider's float arrays are decoded instead.
    /// </summary>
    public bool OmitEncodingFormat { get; init; }
}
