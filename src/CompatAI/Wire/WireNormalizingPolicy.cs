using System.ClientModel.Primitives;

namespace CompatAI;

/// <summary>
/// The last policy before the HTTP transport. It turns every failure into a <see cref="ProviderException"/> (HTTP
/// errors of any body shape, connection failures, timeouts, error objects inside a 200 body) and repairs provider
/// deviations on the wire before the OpenAI SDK parses them: non-streaming bodies are repaired in place and streamed
/// bodies are wrapped in an <see cref="SseNormalizingStream"/>.
/// </summary>
internal sealed class WireNormalizingPolicy(ProviderProfile profile, bool repairChatCompletions = true) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex) =>
        throw new NotSupportedException("CompatAI's OpenAI-compatible client only issues asynchronous requests.");

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        var providerName = profile.Name;
        // The key is read from the request only when an error or a stream needs it for redaction.
        string? Key() => ProviderAuthStylePolicy.ReadKey(message.Request, profile);
        try
        {
            await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        }
        catch (Exception ex) when (message.Response is { Status: >= 200 and <= 299 } && (ex is HttpRequestException or IOException or OperationCanceledException) && !message.CancellationToken.IsCancellationRequested)
        {
            // The provider had answered 2xx and the body broke off while it was read: the request reached the model (and
            // is billed), so this is an interrupted response, never "could not reach" and never retried.
            throw new ProviderException(
                providerName,
                ProviderErrorKind.StreamInterrupted,
                SecretRedactor.Redact($"{providerName}: the response broke off after HTTP {message.Response.Status} had arrived: {ex.Message}", Key()),
                message.Response.Status,
                innerException: ex);
        }
        catch (OperationCanceledException ex) when (!message.CancellationToken.IsCancellationRequested)
        {
            throw new ProviderException(providerName, ProviderErrorKind.Timeout, $"{providerName}: no response within the network timeout of {message.NetworkTimeout?.TotalSeconds ?? 100:0.#} s.", innerException: ex);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException || (ex is System.ClientModel.ClientResultException && ex.InnerException is HttpRequestException or IOException))
        {
            throw new ProviderException(
                providerName,
                ProviderErrorKind.Unavailable,
                SecretRedactor.Redact($"{providerName}: could not reach {message.Request.Uri?.GetLeftPart(UriPartial.Authority)}: {ex.Message}", Key()),
                innerException: ex);
        }

        var response = message.Response!;
        if (response.Status is < 200 or > 299)
        {
            var body = await response.BufferContentAsync(message.CancellationToken).ConfigureAwait(false);
            throw ProviderErrorParser.FromResponse(
                providerName,
                response.Status,
                response.ReasonPhrase,
                name => response.Headers.TryGetValue(name, out var value) ? value : null,
                body.ToMemory().Span,
                Key());
        }

        if (!repairChatCompletions)
        {
            // Another API of the provider (the Responses fallback): failures are classified, the body is its own.
            return;
        }

        if (!message.BufferResponse)
        {
            if (response.Headers.TryGetValue("Content-Type", out var contentType) && contentType?.StartsWith("application/json", StringComparison.OrdinalIgnoreCase) == true)
            {
                // A whole completion in answer to stream: true (servers that ignore the parameter): delivered as the
                // event stream that was asked for.
                var whole = await response.BufferContentAsync(message.CancellationToken).ConfigureAwait(false);
                if (CompletionAsEventStream.TryConvert(whole.ToMemory().Span) is { } events)
                {
                    CompatTelemetry.WireRepair(providerName, CompatTelemetry.RepairCompletionAsStream);
                    response.ContentStream = new MemoryStream(events, writable: false);
                }
            }

            if (response.ContentStream is { } stream)
            {
                response.ContentStream = new SseNormalizingStream(stream, providerName, Key(), profile.Quirks.CumulativeStreamUsage == true);
            }

            return;
        }

        var content = response.Content.ToMemory();
        // A body the fast search clears but that has no standard finish reason must be repaired below, which parses
        // it: tokenize it precisely first so that malformed JSON is reported as such.
        if (!WireJsonNormalizer.TryScanFast(content.Span, out var findings) || (findings & WireJsonNormalizer.Findings.Finished) == WireJsonNormalizer.Findings.None)
        {
            findings = WireJsonNormalizer.ScanPrecisely(content.Span);
        }

        if ((findings & WireJsonNormalizer.Findings.Error) != WireJsonNormalizer.Findings.None)
        {
            CompatTelemetry.WireRepair(providerName, CompatTelemetry.RepairErrorInSuccessResponse);
            throw ProviderErrorParser.FromInlineError(providerName, content.Span, Key(), outputStarted: false);
        }

        if ((findings & WireJsonNormalizer.Findings.Malformed) != WireJsonNormalizer.Findings.None)
        {
            throw new ProviderException(
                providerName,
                ProviderErrorKind.ServerError,
                SecretRedactor.Redact($"{providerName}: the response is not valid JSON: {System.Text.Encoding.UTF8.GetString(content.Span[..Math.Min(content.Length, 300)])}", Key()),
                response.Status)
            {
                ResponseBody = SecretRedactor.Redact(System.Text.Encoding.UTF8.GetString(content.Span[..Math.Min(content.Length, 8192)]), Key()),
            };
        }

        // Non-streaming bodies also need a finish reason: a null or missing one makes the SDK throw.
        if ((findings & (WireJsonNormalizer.Findings.BadFinishReason | WireJsonNormalizer.Findings.ToolCalls | WireJsonNormalizer.Findings.ContentParts)) != WireJsonNormalizer.Findings.None
            || (findings & WireJsonNormalizer.Findings.Finished) == WireJsonNormalizer.Findings.None)
        {
            var repaired = WireJsonNormalizer.Repair(content.Span, streaming: false, null, out var errorFinish, providerName);
            if (errorFinish is not null)
            {
                throw new ProviderException(providerName, ProviderErrorKind.ServerError, $"{providerName}: the provider reported finish_reason '{errorFinish}' instead of an answer.", response.Status);
            }

            if (repaired is not null)
            {
                response.ContentStream = new MemoryStream(repaired, writable: false);
                await response.BufferContentAsync(message.CancellationToken).ConfigureAwait(false);
            }
        }
    }
}
