namespace CompatAI;

/// <summary>One change <see cref="ParameterSanitizingChatClient"/> made to a request.</summary>
/// <param name="Parameter">The wire name of the parameter or field, for example <c>logit_bias</c> or <c>messages[2].name</c>.</param>
/// <param name="Action">What was done, for example <c>dropped</c> or <c>renamed to random_seed</c>.</param>
/// <param name="Lossy">Whether information the caller sent is lost (these are errors in <see cref="ParameterSanitizerMode.Strict"/>).</param>
public sealed record SanitizerChange(string Parameter, string Action, bool Lossy);
