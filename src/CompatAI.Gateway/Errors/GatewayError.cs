namespace CompatAI.Gateway.Errors;

/// <summary>An error answered in OpenAI's shape: <c>{"error":{"message","type","param","code"}}</c>.</summary>
internal sealed record GatewayError(int Status, string Type, string Message, string? Param = null, string? Code = null)
{
    public TimeSpan? RetryAfter { get; init; }

    public string? Provider { get; init; }

    public static GatewayError Invalid(string param, string message, string? code = null) =>
        new(400, "invalid_request_error", message, param, code);

    public static GatewayError ModelNotFound(string model) =>
        new(404, "invalid_request_error", $"The model '{GatewayText.Echo(model)}' does not exist on this gateway. Use '<provider>/<model>' with a provider listed by GET /v1/models.", "model", "model_not_found");
}
