using CompatAI.Gateway.Errors;

namespace CompatAI.Gateway.Wire;

/// <summary>Raised while parsing a request that must be answered with an OpenAI error before any upstream call.</summary>
internal sealed class RequestValidationException(GatewayError error) : Exception(error.Message)
{
    public GatewayError Error { get; } = error;

    public static RequestValidationException Invalid(string param, string message) =>
        new(GatewayError.Invalid(param, message));
}
