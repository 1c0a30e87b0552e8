using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace CompatAI;

/// <summary>
/// The names of everything CompatAI publishes for OpenTelemetry: one <see cref="System.Diagnostics.ActivitySource"/> and
/// one <see cref="System.Diagnostics.Metrics.Meter"/>, both named <see cref="SourceName"/> (<c>CompatAI</c>), and the
/// event, metric and attribute names they use. Subscribe with
/// <c>tracing.AddSource(CompatTelemetry.SourceName)</c> and <c>metrics.AddMeter(CompatTelemetry.MeterName)</c>.
/// </summary>
/// <remarks>
/// <para>
/// Events are added to the current <see cref="Activity"/> when it is recorded (typically the <c>chat</c> span of
/// Microsoft.Extensions.AI's <c>UseOpenTelemetry()</c>). When no activity is current and something listens to the
/// <c>CompatAI</c> source, the event becomes a short internal span of that name on the <c>CompatAI</c> source instead.
/// </para>
/// <para>
/// Tags carry only provider names, parameter names, repair kinds, outcomes and breaker states: never an API key or
/// message content. Nothing is allocated for an instrument or source nobody listens to.
/// </para>
/// </remarks>
public static class CompatTelemetry
{
    /// <summary>The name of CompatAI's <see cref="System.Diagnostics.ActivitySource"/>: <c>CompatAI</c>.</summary>
    public const string SourceName = "CompatAI";

    /// <summary>The name of CompatAI's <see cref="System.Diagnostics.Metrics.Meter"/>: <c>CompatAI</c>.</summary>
    public const string MeterName = "CompatAI";

    /// <summary>Counter of request changes made by the parameter sanitizer; tags <see cref="ProviderAttribute"/>, <see cref="ParameterAttribute"/>, <see cref="ActionAttribute"/>.</summary>
    public const string SanitizerChangesMetric = "compatai.sanitizer.changes";

    /// <summary>Counter of attempts made by fallback chains; tags <see cref="ProviderAttribute"/> and <see cref="OutcomeAttribute"/> (<c>success</c> or the error kind).</summary>
    public const string FallbackAttemptsMetric = "compatai.fallback.attempts";

    /// <summary>Counter of circuit-breaker transitions in fallback chains; tags <see cref="ProviderAttribute"/> and <see cref="BreakerStateAttribute"/>.</summary>
    public const string BreakerTransitionsMetric = "compatai.fallback.breaker.transitions";

    /// <summary>
    /// Counter of decisions fallback chains and routers take on state shared through <see cref="FallbackOptions.StateStore"/>;
    /// tags <see cref="ProviderAttribute"/> and <see cref="SharedStateEventAttribute"/> (<see cref="SharedCooldownSkipped"/>,
    /// <see cref="SharedCircuitSkipped"/>, <see cref="SharedProbeAcquired"/>, <see cref="SharedProbeDenied"/>).
    /// </summary>
    public const string SharedStateEventsMetric = "compatai.fallback.shared_state";

    /// <summary>Counter of provider deviations repaired on the wire; tags <see cref="ProviderAttribute"/> and <see cref="RepairAttribute"/>.</summary>
    public const string WireRepairsMetric = "compatai.wire.repairs";

    /// <summary>
    /// Histogram of what responses cost (shaped like <c>gen_ai.client.token.usage</c>), in the unit of the currency; tags
    /// <see cref="GenAiProviderAttribute"/>, <see cref="GenAiResponseModelAttribute"/>, <see cref="CostCurrencyAttribute"/>
    /// and <see cref="CostSourceAttribute"/>. Recorded by <see cref="CostTrackingChatClient"/>.
    /// </summary>
    public const string CostMetric = "compatai.client.cost";

    /// <summary>Attribute (OpenTelemetry gen_ai semantic conventions): the provider that served a response.</summary>
    public const string GenAiProviderAttribute = "gen_ai.provider.name";

    /// <summary>Attribute (OpenTelemetry gen_ai semantic conventions): the model that served a response.</summary>
    public const string GenAiResponseModelAttribute = "gen_ai.response.model";

    /// <summary>Attribute: the ISO 4217 currency of a cost.</summary>
    public const string CostCurrencyAttribute = "compatai.cost.currency";

    /// <summary>Attribute: where a cost comes from, <c>provider</c> or <c>price_table</c>.</summary>
    public const string CostSourceAttribute = "compatai.cost.source";

    /// <summary>Event recorded for each change the parameter sanitizer makes to a request.</summary>
    public const string SanitizerChangeEvent = "compatai.sanitizer.change";

    /// <summary>Event recorded for each failed attempt of a fallback chain (tags <see cref="ProviderAttribute"/> and <see cref="ReasonAttribute"/>).</summary>
    public const string FallbackFailedEvent = "compatai.fallback.failed";

    /// <summary>
    /// Span (with an event of the same name) recorded on the <c>CompatAI</c> source when a fallback chain's circuit
    /// breaker for a provider changes state. Polly reports transitions off the request's flow, so this is a root span.
    /// </summary>
    public const string BreakerTransitionEvent = "compatai.fallback.breaker";

    /// <summary>Event recorded for each provider deviation repaired on the wire.</summary>
    public const string WireRepairEvent = "compatai.wire.repair";

    /// <summary>Attribute: the catalog name of the provider (for example <c>groq</c>).</summary>
    public const string ProviderAttribute = "compatai.provider";

    /// <summary>Attribute: the request parameter the sanitizer changed (for example <c>seed</c> or <c>messages[2].name</c>).</summary>
    public const string ParameterAttribute = "compatai.parameter";

    /// <summary>Attribute: what the sanitizer did (for example <c>dropped</c> or <c>renamed to random_seed</c>).</summary>
    public const string ActionAttribute = "compatai.action";

    /// <summary>Attribute: the outcome of a fallback attempt, <c>success</c> or a <see cref="ProviderErrorKind"/> name.</summary>
    public const string OutcomeAttribute = "compatai.outcome";

    /// <summary>Attribute: why a fallback attempt failed (a <see cref="ProviderErrorKind"/> name or <c>circuit_open</c>).</summary>
    public const string ReasonAttribute = "compatai.reason";

    /// <summary>Attribute: the state a circuit breaker moved to: <see cref="BreakerOpened"/>, <see cref="BreakerHalfOpened"/> or <see cref="BreakerClosed"/>.</summary>
    public const string BreakerStateAttribute = "compatai.breaker.state";

    /// <summary>Attribute: what a fallback chain or router did on shared route state (one of the <c>Shared...</c> constants).</summary>
    public const string SharedStateEventAttribute = "compatai.shared_state.event";

    /// <summary>Shared-state event: a route was skipped for a cooldown another client or process reported.</summary>
    public const string SharedCooldownSkipped = "cooldown_skipped";

    /// <summary>Shared-state event: a route was skipped because its shared circuit is open.</summary>
    public const string SharedCircuitSkipped = "circuit_skipped";

    /// <summary>Shared-state event: this process won the lease to probe a half-open route.</summary>
    public const string SharedProbeAcquired = "probe_acquired";

    /// <summary>Shared-state event: a half-open route was skipped because another caller holds the probe lease.</summary>
    public const string SharedProbeDenied = "probe_denied";

    /// <summary>Attribute: the kind of wire repair, one of the <c>Repair...</c> constants.</summary>
    public const string RepairAttribute = "compatai.repair";

    /// <summary>Attribute: the model a decision applies to.</summary>
    public const string ModelAttribute = "compatai.model";

    /// <summary>Breaker state: open, the provider is skipped.</summary>
    public const string BreakerOpened = "open";

    /// <summary>Breaker state: half-open, one probe request is let through.</summary>
    public const string BreakerHalfOpened = "half_open";

    /// <summary>Breaker state: closed, the provider is used again.</summary>
    public const string BreakerClosed = "closed";

    /// <summary>Repair: a non-standard <c>finish_reason</c> (for example <c>eos</c>) was mapped to a standard one.</summary>
    public const string RepairFinishReasonMapped = "finish_reason_mapped";

    /// <summary>Repair: a whole response without <c>finish_reason</c> was given one.</summary>
    public const string RepairFinishReasonAdded = "finish_reason_added";

    /// <summary>Repair: a tool call with <c>type: ""</c> was given <c>type: "function"</c>.</summary>
    public const string RepairToolCallTypeSet = "tool_call_type_set";

    /// <summary>Repair: a streamed tool-call delta without <c>index</c> was given one.</summary>
    public const string RepairToolCallIndexSynthesized = "tool_call_index_synthesized";

    /// <summary>Repair: <c>content</c> sent as an array of parts (Mistral's thinking parts) was flattened to text and <c>reasoning_content</c>.</summary>
    public const string RepairContentPartsFlattened = "content_parts_flattened";

    /// <summary>Repair: a bare JSON line in an event stream (no <c>data:</c>) was framed as a data line.</summary>
    public const string RepairBareJsonLineFramed = "bare_json_line_framed";

    /// <summary>Repair: an error object inside a 200 response or event stream was turned into a <see cref="ProviderException"/>.</summary>
    public const string RepairErrorInSuccessResponse = "error_in_200_response";

    /// <summary>Repair: a <c>finish_reason</c> that reports the provider's own failure (for example <c>error</c>) was turned into a <see cref="ProviderException"/>.</summary>
    public const string RepairErrorFinishReason = "error_finish_reason";

    /// <summary>Repair: a whole completion sent in answer to <c>stream: true</c> was delivered as the event stream asked for.</summary>
    public const string RepairCompletionAsStream = "completion_as_stream";

    /// <summary>Event name: a provider rejected <c>stream: true</c>, so the request was sent again without streaming (remembered per model).</summary>
    public const string StreamingFallbackEvent = "compatai.streaming.fallback";

    /// <summary>Event name: a provider's <c>/chat/completions</c> answered 404 and its <c>/responses</c> served the request (remembered per model).</summary>
    public const string ResponsesFallbackEvent = "compatai.responses.fallback";

    /// <summary>Repair: <c>encoding_format</c> was left out of an embeddings request for a provider that rejects it.</summary>
    public const string RepairEncodingFormatOmitted = "encoding_format_omitted";

    /// <summary>Repair: usage repeated as running totals on every stream chunk was reduced to the provider's last report, sent once.</summary>
    public const string RepairCumulativeUsage = "cumulative_usage_deduplicated";

    private static readonly ActivitySource s_source = new(SourceName);
    private static readonly Meter s_meter = new(MeterName);
    private static readonly Counter<long> s_sanitizerChanges = s_meter.CreateCounter<long>(SanitizerChangesMetric, description: "Request parameters dropped, renamed or rewritten for a provider.");
    private static readonly Counter<long> s_fallbackAttempts = s_meter.CreateCounter<long>(FallbackAttemptsMetric, description: "Attempts made by fallback chains, by provider and outcome.");
    private static readonly Counter<long> s_breakerTransitions = s_meter.CreateCounter<long>(BreakerTransitionsMetric, description: "Circuit-breaker state changes in fallback chains, by provider and new state.");
    private static readonly Histogram<double> s_cost = s_meter.CreateHistogram<double>(CostMetric, unit: "{currency}", description: "What responses cost, by provider, model, currency and source.");
    private static readonly Counter<long> s_sharedStateEvents = s_meter.CreateCounter<long>(SharedStateEventsMetric, description: "Decisions taken on route state shared between clients and processes, by provider and event.");
    private static readonly Counter<long> s_wireRepairs = s_meter.CreateCounter<long>(WireRepairsMetric, description: "Provider deviations repaired on the wire, by provider and repair kind.");

    /// <summary>Records a change the parameter sanitizer made: counter and event.</summary>
    internal static void SanitizerChange(string provider, string parameter, string action)
    {
        if (s_sanitizerChanges.Enabled)
        {
            s_sanitizerChanges.Add(1, new(ProviderAttribute, provider), new(ParameterAttribute, parameter), new(ActionAttribute, action));
        }

        AddEvent(SanitizerChangeEvent, provider, ParameterAttribute, parameter, ActionAttribute, action);
    }

    /// <summary>Counts one attempt of a fallback chain; a failed one is also recorded as an event.</summary>
    internal static void FallbackAttempt(string provider, string outcome)
    {
        if (s_fallbackAttempts.Enabled)
        {
            s_fallbackAttempts.Add(1, new(ProviderAttribute, provider), new(OutcomeAttribute, outcome));
        }

        if (outcome != "success")
        {
            AddEvent(FallbackFailedEvent, provider, ReasonAttribute, outcome);
        }
    }

    /// <summary>Records a circuit-breaker transition; returns a completed task so it can serve as a Polly callback.</summary>
    internal static ValueTask BreakerTransition(string provider, string state)
    {
        if (s_breakerTransitions.Enabled)
        {
            s_breakerTransitions.Add(1, new(ProviderAttribute, provider), new(BreakerStateAttribute, state));
        }

        if (s_source.HasListeners())
        {
            // Polly runs these callbacks on its breaker's own scheduler, off the request's flow: whatever Activity is
            // current there is not the request's, so the transition is a root span of its own.
            var previous = Activity.Current;
            Activity.Current = null;
            try
            {
                var tags = new ActivityTagsCollection { [ProviderAttribute] = provider, [BreakerStateAttribute] = state };
                using var own = s_source.StartActivity(BreakerTransitionEvent, ActivityKind.Internal, parentContext: default, tags: tags);
                own?.AddEvent(new ActivityEvent(BreakerTransitionEvent, tags: tags));
            }
            finally
            {
                Activity.Current = previous;
            }
        }

        return default;
    }

    /// <summary>Counts a decision taken on shared route state (one of the <c>Shared...</c> events).</summary>
    internal static void SharedStateEvent(string provider, string sharedEvent)
    {
        if (s_sharedStateEvents.Enabled)
        {
            s_sharedStateEvents.Add(1, new(ProviderAttribute, provider), new(SharedStateEventAttribute, sharedEvent));
        }
    }

    /// <summary>Records the cost of one response on the cost histogram.</summary>
    internal static void Cost(string? provider, string? model, ResponseCost cost)
    {
        if (s_cost.Enabled)
        {
            s_cost.Record(
                (double)cost.Amount,
                new(GenAiProviderAttribute, provider),
                new(GenAiResponseModelAttribute, model),
                new(CostCurrencyAttribute, cost.Currency),
                new(CostSourceAttribute, cost.Source));
        }
    }

    /// <summary>Records a wire repair (one of the <c>Repair...</c> kinds) for a provider.</summary>
    internal static void WireRepair(string provider, string repair)
    {
        if (s_wireRepairs.Enabled)
        {
            s_wireRepairs.Add(1, new(ProviderAttribute, provider), new(RepairAttribute, repair));
        }

        AddEvent(WireRepairEvent, provider, RepairAttribute, repair);
    }

    /// <summary>Records that a provider's Chat Completions answered 404 for a model and its Responses API answered instead.</summary>
    internal static void ResponsesFallback(string provider, string model) => AddEvent(ResponsesFallbackEvent, provider, ModelAttribute, model);

    /// <summary>Records that a provider rejected streaming for a model, so requests for it go without streaming.</summary>
    internal static void StreamingFallback(string provider, string model) => AddEvent(StreamingFallbackEvent, provider, ModelAttribute, model);

    private static void AddEvent(string name, string provider, string key, string value, string? key2 = null, string? value2 = null)
    {
        var current = Activity.Current;
        if (current is null ? !s_source.HasListeners() : !current.IsAllDataRequested)
        {
            return; // nobody records: allocate nothing
        }

        var tags = new ActivityTagsCollection { [ProviderAttribute] = provider, [key] = value };
        if (key2 is not null)
        {
            tags[key2] = value2;
        }

        if (current is not null)
        {
            current.AddEvent(new ActivityEvent(name, tags: tags));
            return;
        }

        using var own = s_source.StartActivity(name, ActivityKind.Internal, parentContext: default, tags: tags);
        own?.AddEvent(new ActivityEvent(name, tags: tags));
    }
}
