using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace CompatAI.Emulator;

/// <summary>
/// <c>POST /{personality}/v1/embeddings</c>: deterministic vectors (each component is a byte of
/// SHA-256(<c>model + "\n" + input + "\n" + block</c>) mapped to <c>(b - 128) / 128</c>, so the same model and text give
/// the same vector on every personality), in base64 or floats as the personality's server would answer.
/// </summary>
internal static class EmbeddingsEndpoint
{
    /// <summary>How a server treats <c>encoding_format</c>.</summary>
    internal enum EncodingFormatHandling
    {
        /// <summary>base64 when asked, floats otherwise (OpenAI, Mistral, current vLLM and llama.cpp).</summary>
        Honoured,

        /// <summary>Always floats, whatever was asked (LM Studio).</summary>
        IgnoredAnswersFloats,

        /// <summary>A 400 whenever the parameter is present (LiteLLM proxy in front of Vertex/Gemini models).</summary>
        Rejected,
    }

    internal sealed record Behavior(IReadOnlyDictionary<string, int> ModelDimensions, int? MaxInputs, EncodingFormatHandling Handling, Func<string, bool>? RejectsFor = null);

    private static readonly Dictionary<string, Behavior> s_behaviors = new(StringComparer.OrdinalIgnoreCase)
    {
        ["openai"] = new(new Dictionary<string, int>(StringComparer.Ordinal) { ["text-embedding-3-small"] = 1536, ["text-embedding-3-large"] = 3072 }, 2048, EncodingFormatHandling.Honoured),
        ["mistral"] = new(new Dictionary<string, int>(StringComparer.Ordinal) { ["mistral-embed"] = 1024 }, null, EncodingFormatHandling.Honoured),
        ["vllm"] = new(new Dictionary<string, int>(StringComparer.Ordinal) { ["BAAI/bge-m3"] = 1024 }, null, EncodingFormatHandling.Honoured),
        ["llamacpp"] = new(new Dictionary<string, int>(StringComparer.Ordinal) { ["nomic-embed-text-v1.5.Q8_0.gguf"] = 768 }, null, EncodingFormatHandling.Honoured),
        ["lmstudio"] = new(new Dictionary<string, int>(StringComparer.Ordinal) { ["text-embedding-nomic-embed-text-v1.5"] = 768 }, null, EncodingFormatHandling.IgnoredAnswersFloats),
        ["litellm"] = new(
            new Dictionary<string, int>(StringComparer.Ordinal) { ["gemini-embedding-001"] = 3072, ["text-embedding-3-small"] = 1536 },
            null,
            EncodingFormatHandling.Rejected,
            model => model.Contains("gemini", StringComparison.OrdinalIgnoreCase)),
    };

    /// <summary>Answers an embeddings request: the status code and the body.</summary>
    public static (int Status, JsonObject Body) Answer(Personality personality, string body)
    {
        if (!s_behaviors.TryGetValue(personality.Name, out var behavior))
        {
            return (404, personality.ErrorBody(404, "Invalid URL (POST /v1/embeddings)", "invalid_request_error"));
        }

        JsonObject? request;
        try
        {
            request = JsonNode.Parse(body) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            request = null;
        }

        if (request is null)
        {
            return (400, personality.MalformedJsonBody());
        }

        var model = request["model"]?.GetValue<string>() ?? string.Empty;
        if (!behavior.ModelDimensions.TryGetValue(model, out var dimensions))
        {
            return (404, personality.ErrorBody(404, $"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"));
        }

        var format = request["encoding_format"]?.GetValue<string>();
        if (format is not null && behavior.Handling == EncodingFormatHandling.Rejected && (behavior.RejectsFor?.Invoke(model) ?? true))
        {
            // BerriAI/litellm#33173: the proxy's provider handler refuses the parameter at any value.
            return (400, personality.ErrorBody(
                400,
                $"litellm.UnsupportedParamsError: vertex_ai does not support parameters: {{'encoding_format': '{format}'}}, for model={model}. To drop these, set `litellm.drop_params=True` or for proxy:\n\n`litellm_settings:\n drop_params: true`\n",
                "invalid_request_error"));
        }

        if (format is not null and not "float" and not "base64")
        {
            return (400, personality.ErrorBody(400, $"Invalid value for 'encoding_format' = {format}. Supported values: ['float', 'base64'].", "invalid_request_error", null, "encoding_format"));
        }

        List<string> inputs;
        switch (request["input"])
        {
            case JsonValue single when single.TryGetValue<string>(out var text):
                inputs = [text];
                break;
            case JsonArray array when array.Count > 0 && array.All(i => i is JsonValue v && v.TryGetValue<string>(out _)):
                inputs = [.. array.Select(i => i!.GetValue<string>())];
                break;
            default:
                return (400, personality.ErrorBody(400, "'input' must be a non-empty string or a non-empty array of strings.", "invalid_request_error", null, "input"));
        }

        if (behavior.MaxInputs is { } max && inputs.Count > max)
        {
            return (400, personality.ErrorBody(400, $"'input' has {inputs.Count} items; at most {max} are allowed per request.", "invalid_request_error", null, "input"));
        }

        if (request["dimensions"] is JsonValue requested && requested.TryGetValue<int>(out var wanted))
        {
            if (wanted <= 0 || wanted > dimensions)
            {
                return (400, personality.ErrorBody(400, $"'dimensions' must be between 1 and {dimensions} for {model}.", "invalid_request_error", null, "dimensions"));
            }

            dimensions = wanted;
        }

        var base64 = format == "base64" && behavior.Handling == EncodingFormatHandling.Honoured;
        var data = new JsonArray();
        var tokens = 0;
        for (var i = 0; i < inputs.Count; i++)
        {
            var vector = Vector(model, inputs[i], dimensions);
            tokens += Math.Max(1, inputs[i].Split(' ', StringSplitOptions.RemoveEmptyEntries).Length);
            data.Add(new JsonObject
            {
                ["object"] = "embedding",
                ["index"] = i,
                ["embedding"] = base64 ? Base64(vector) : new JsonArray([.. vector.Select(v => (JsonNode?)JsonValue.Create(v))]),
            });
        }

        return (200, new JsonObject
        {
            ["object"] = "list",
            ["data"] = data,
            ["model"] = model,
            ["usage"] = new JsonObject { ["prompt_tokens"] = tokens, ["total_tokens"] = tokens },
        });
    }

    /// <summary>The deterministic vector for <paramref name="input"/> (see the class remarks).</summary>
    public static float[] Vector(string model, string input, int dimensions)
    {
        var vector = new float[dimensions];
        for (var block = 0; block * 32 < dimensions; block++)
        {
            var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{model}\n{input}\n{block}"));
            for (var j = 0; j < 32 && block * 32 + j < dimensions; j++)
            {
                vector[block * 32 + j] = (hash[j] - 128) / 128f;
            }
        }

        return vector;
    }

    private static string Base64(float[] vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        for (var i = 0; i < vector.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), vector[i]);
        }

        return Convert.ToBase64String(bytes);
    }
}
