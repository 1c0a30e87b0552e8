using System.Text.Json;
using CompatAI.Gateway.Providers;

namespace CompatAI.Gateway.Endpoints;

/// <summary>A validated, routed request to one of the <see cref="ProviderApiKind"/> endpoints; owns the parsed body.</summary>
internal sealed class ProviderApiCall : IDisposable
{
    private readonly JsonDocument _document;
    private readonly IDisposable _bodyReservation;

    public ProviderApiCall(JsonDocument document, IDisposable bodyReservation, string providerName, string? modelId, ProviderApiClients clients, string? credential, string requestId, long start)
    {
        _document = document;
        _bodyReservation = bodyReservation;
        ProviderName = providerName;
        ModelId = modelId;
        Clients = clients;
        Credential = credential;
        RequestId = requestId;
        Start = start;
    }

    /// <summary>Gets the endpoint the call was made to.</summary>
    public ProviderApiKind Kind { get; init; }

    /// <summary>Gets the request body (a JSON object).</summary>
    public JsonElement Root => _document.RootElement;

    /// <summary>Gets the gateway prefix the request was routed by.</summary>
    public string ProviderName { get; }

    /// <summary>Gets the upstream model id; <see langword="null"/> for the profile's default model of the endpoint.</summary>
    public string? ModelId { get; }

    public ProviderApiClients Clients { get; }

    public string? Credential { get; }

    public string RequestId { get; }

    /// <summary>Gets the <see cref="System.Diagnostics.Stopwatch"/> timestamp at which the gateway received the request.</summary>
    public long Start { get; }

    /// <summary>Gets the model name answered to the client: <c>&lt;provider&gt;/&lt;upstream model&gt;</c>.</summary>
    public string AnsweredModel(string? upstreamModel) =>
        string.IsNullOrEmpty(upstreamModel) ? ProviderName
        : upstreamModel.StartsWith(ProviderName + "/", StringComparison.Ordinal) ? upstreamModel
        : ProviderName + "/" + upstreamModel;

    public void Dispose()
    {
        _document.Dispose();
        _bodyReservation.Dispose();
    }
}
