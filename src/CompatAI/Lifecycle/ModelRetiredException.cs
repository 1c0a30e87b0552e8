using System.Globalization;

namespace CompatAI;

/// <summary>
/// A request named a model that the catalog records as retired (or past its announced shutdown) at the provider: raised
/// before any request is sent to the provider's own host, or in place of the provider's "model not found" answer.
/// Its <see cref="ProviderException.Kind"/> is <see cref="ProviderErrorKind.NotFound"/>, so fallback chains move on.
/// </summary>
public sealed class ModelRetiredException : ProviderException
{
    /// <summary>Creates the exception for a retired model.</summary>
    /// <param name="providerName">The catalog name of the provider.</param>
    /// <param name="model">The catalog's lifecycle entry for the model.</param>
    /// <param name="statusCode">The provider's HTTP status, when the provider answered (404); <see langword="null"/> when nothing was sent.</param>
    /// <param name="errorCode">The provider's error code, when it answered.</param>
    /// <param name="innerException">The provider's own error, when it answered.</param>
    public ModelRetiredException(string providerName, KnownModel model, int? statusCode = null, string? errorCode = null, Exception? innerException = null)
        : base(providerName, ProviderErrorKind.NotFound, Describe(providerName, model, statusCode), statusCode, errorCode, retryAfter: null, innerException)
    {
        ArgumentNullException.ThrowIfNull(model);
        ModelId = model.Id;
        Replacement = model.Replacement;
        Shutdown = model.Shutdown;
    }

    /// <summary>Gets the model id the request named.</summary>
    public string ModelId { get; }

    /// <summary>Gets the model the provider suggests instead, when the catalog records one.</summary>
    public string? Replacement { get; }

    /// <summary>Gets the date the provider stopped serving the model, when the catalog records one.</summary>
    public DateOnly? Shutdown { get; }

    private static string Describe(string providerName, KnownModel model, int? statusCode)
    {
        ArgumentNullException.ThrowIfNull(model);
        var when = model.Shutdown is { } date ? " on " + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : string.Empty;
        var instead = model.Replacement is { } r ? $" Use '{r}' instead." : " The catalog records no replacement; run 'compatai models' to see what the provider serves.";
        var what = model.Status == ModelStatus.Retired ? $"was retired by {providerName}{when}" : $"was due to shut down at {providerName}{when}";
        var lead = statusCode is { } status
            ? $"{providerName} answered HTTP {status} for model '{model.Id}', which the CompatAI catalog records as retired: it {what}."
            : $"Model '{model.Id}' {what} (CompatAI catalog); the request was not sent.";
        return lead + instead + (model.Notes is { Length: > 0 } notes ? " Note: " + notes : string.Empty);
    }
}
