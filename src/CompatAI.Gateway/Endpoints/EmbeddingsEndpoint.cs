using System.Buffers.Binary;
using System.Diagnostics;
using System.Text.Json;
using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Logging;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace CompatAI.Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/embeddings</c> in OpenAI's shape (<c>input</c> as a string or an array of strings, <c>encoding_format</c>
/// <c>float</c> or <c>base64</c>, <c>dimensions</c>), served by the provider's <see cref="CompatEmbeddingGenerator"/>.
/// </summary>
internal sealed class EmbeddingsEndpoint
{
    private readonly ProviderApiRequests _requests;

    public EmbeddingsEndpoint(ProviderApiRequests requests) => _requests = requests;

    public Task HandleAsync(HttpContext http) => _requests.GuardAsync(http, HandleCoreAsync);

    private async Task HandleCoreAsync(HttpContext http)
    {
        using var call = await _requests.BeginAsync(http, ProviderApiKind.Embeddings).ConfigureAwait(false);
        if (call is null)
        {
            return;
        }

        var root = call.Root;
        var error = ReadInputs(root, out var inputs);
        var base64 = false;
        int? dimensions = null;
        if (error is null && root.TryGetProperty("encoding_format", out var format) && format.ValueKind != JsonValueKind.Null)
        {
            base64 = format.ValueKind == JsonValueKind.String && format.ValueEquals("base64");
            if (!base64 && !(format.ValueKind == JsonValueKind.String && format.ValueEquals("float")))
            {
                error = GatewayError.Invalid("encoding_format", "'encoding_format' must be 'float' or 'base64'.");
            }
        }

        if (error is null && root.TryGetProperty("dimensions", out var dims) && dims.ValueKind != JsonValueKind.Null)
        {
            if (dims.ValueKind == JsonValueKind.Number && dims.TryGetInt32(out var value) && value > 0)
            {
                dimensions = value;
            }
            else
            {
                error = GatewayError.Invalid("dimensions", "'dimensions' must be a positive integer.");
            }
        }

        if (error is not null)
        {
            await _requests.RejectAsync(http, error).ConfigureAwait(false);
            return;
        }

        Log.Served(_requests.Logger, call.RequestId, call.ProviderName, call.ModelId is null ? null : GatewayText.Echo(call.ModelId), false);
        var upstreamStart = Stopwatch.GetTimestamp();
        GeneratedEmbeddings<Embedding<float>> embeddings;
        IEmbeddingGenerator<string, Embedding<float>> generator;
        try
        {
            generator = call.Clients.Embeddings(call.ModelId, call.Credential);
            embeddings = await generator.GenerateAsync(inputs!, new EmbeddingGenerationOptions { Dimensions = dimensions }, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await _requests.FailAsync(http, call, ex).ConfigureAwait(false);
            return;
        }

        var upstreamEnd = Stopwatch.GetTimestamp();
        _requests.Served(call, embeddings.Count > 0 ? embeddings[0].ModelId : null, embeddings.Usage, upstreamStart);
        var model = call.AnsweredModel(embeddings.Count > 0 && embeddings[0].ModelId is { Length: > 0 } id ? id
            : call.ModelId ?? generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId);
        await _requests.WriteJsonAsync(http, call, Write(embeddings, model, base64), upstreamStart, upstreamEnd).ConfigureAwait(false);
    }

    private static GatewayError? ReadInputs(JsonElement root, out List<string>? inputs)
    {
        inputs = null;
        if (!root.TryGetProperty("input", out var input))
        {
            return GatewayError.Invalid("input", "'input' is required: a string or an array of strings.");
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            inputs = [input.GetString()!];
            return null;
        }

        if (input.ValueKind == JsonValueKind.Array && input.GetArrayLength() > 0)
        {
            var list = new List<string>(input.GetArrayLength());
            foreach (var item in input.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.String)
                {
                    return GatewayError.Invalid("input", "'input' must be a string or an array of strings; token arrays are not supported by this gateway, send the text.");
                }

                list.Add(item.GetString()!);
            }

            inputs = list;
            return null;
        }

        return GatewayError.Invalid("input", "'input' must be a string or a non-empty array of strings.");
    }

    private static byte[] Write(GeneratedEmbeddings<Embedding<float>> embeddings, string model, bool base64)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("object", "list");
            writer.WriteStartArray("data");
            for (var i = 0; i < embeddings.Count; i++)
            {
                var vector = embeddings[i].Vector.Span;
                writer.WriteStartObject();
                writer.WriteString("object", "embedding");
                writer.WriteNumber("index", i);
                if (base64)
                {
                    // OpenAI's base64 is the little-endian float32 bytes of the vector.
                    var bytes = new byte[vector.Length * sizeof(float)];
                    for (var j = 0; j < vector.Length; j++)
                    {
                        BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(j * sizeof(float)), vector[j]);
                    }

                    writer.WriteBase64String("embedding", bytes);
                }
                else
                {
                    writer.WriteStartArray("embedding");
                    foreach (var value in vector)
                    {
                        writer.WriteNumberValue(value);
                    }

                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteString("model", model);
            var tokens = embeddings.Usage?.InputTokenCount ?? 0;
            writer.WriteStartObject("usage");
            writer.WriteNumber("prompt_tokens", tokens);
            writer.WriteNumber("total_tokens", embeddings.Usage?.TotalTokenCount ?? tokens);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
