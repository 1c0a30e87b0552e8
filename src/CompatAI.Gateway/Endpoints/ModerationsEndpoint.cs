using System.Diagnostics;
using System.Text.Json;
using CompatAI.Gateway.Errors;
using CompatAI.Gateway.Logging;
using Microsoft.AspNetCore.Http;

namespace CompatAI.Gateway.Endpoints;

/// <summary>
/// <c>POST /v1/moderations</c> in OpenAI's shape (<c>input</c> as a string or an array of strings; <c>results</c> with
/// <c>flagged</c>, <c>categories</c> and <c>category_scores</c>), served by the provider's <see cref="CompatModerationClient"/>.
/// </summary>
internal sealed class ModerationsEndpoint
{
    private readonly ProviderApiRequests _requests;

    public ModerationsEndpoint(ProviderApiRequests requests) => _requests = requests;

    public Task HandleAsync(HttpContext http) => _requests.GuardAsync(http, HandleCoreAsync);

    private async Task HandleCoreAsync(HttpContext http)
    {
        using var call = await _requests.BeginAsync(http, ProviderApiKind.Moderations).ConfigureAwait(false);
        if (call is null)
        {
            return;
        }

        var inputs = ReadInputs(call.Root);
        if (inputs is null)
        {
            await _requests.RejectAsync(http, GatewayError.Invalid("input",
                "'input' must be a string or a non-empty array of strings; images and other multi-modal inputs are not supported by this gateway.")).ConfigureAwait(false);
            return;
        }

        Log.Served(_requests.Logger, call.RequestId, call.ProviderName, call.ModelId is null ? null : GatewayText.Echo(call.ModelId), false);
        var upstreamStart = Stopwatch.GetTimestamp();
        IReadOnlyList<ModerationVerdict> verdicts;
        CompatModerationClient client;
        try
        {
            client = call.Clients.Moderation(call.ModelId, call.Credential);
            verdicts = await client.ModerateAsync(inputs, http.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            await _requests.FailAsync(http, call, ex).ConfigureAwait(false);
            return;
        }

        var upstreamEnd = Stopwatch.GetTimestamp();
        _requests.Served(call, client.Model, null, upstreamStart);
        await _requests.WriteJsonAsync(http, call, Write(verdicts, call.AnsweredModel(client.Model), "modr-" + call.RequestId.Replace(':', '-')), upstreamStart, upstreamEnd).ConfigureAwait(false);
    }

    private static List<string>? ReadInputs(JsonElement root)
    {
        if (!root.TryGetProperty("input", out var input))
        {
            return null;
        }

        if (input.ValueKind == JsonValueKind.String)
        {
            return [input.GetString()!];
        }

        if (input.ValueKind != JsonValueKind.Array || input.GetArrayLength() == 0)
        {
            return null;
        }

        var list = new List<string>(input.GetArrayLength());
        foreach (var item in input.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            list.Add(item.GetString()!);
        }

        return list;
    }

    private static byte[] Write(IReadOnlyList<ModerationVerdict> verdicts, string model, string id)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("id", id);
            writer.WriteString("model", model);
            writer.WriteStartArray("results");
            foreach (var verdict in verdicts)
            {
                writer.WriteStartObject();
                writer.WriteBoolean("flagged", verdict.Flagged);
                writer.WriteStartObject("categories");
                foreach (var (name, flagged) in verdict.Categories)
                {
                    writer.WriteBoolean(name, flagged);
                }

                writer.WriteEndObject();
                writer.WriteStartObject("category_scores");
                foreach (var (name, score) in verdict.CategoryScores)
                {
                    writer.WriteNumber(name, score);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
