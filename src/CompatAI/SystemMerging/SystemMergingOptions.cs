using CompatAI;

namespace CompatAI;

/// <summary>Configures <see cref="SystemMergingChatClient"/>. Unset properties take the provider profile's value.</summary>
public sealed class SystemMergingOptions
{
    /// <summary>
    /// Gets or sets how the provider treats the system role. Default: the profile's <see cref="ProviderQuirks.SystemRole"/>,
    /// else <see cref="SystemRoleSupport.Supported"/> (nothing is moved).
    /// </summary>
    public SystemRoleSupport? SystemRole { get; set; }

    /// <summary>
    /// Gets or sets whether consecutive user or assistant messages are merged into one, for providers that demand strictly
    /// alternating turns. Default: the profile's <see cref="ProviderQuirks.RequiresAlternatingRoles"/>, else <see langword="false"/>.
    /// </summary>
    public bool? MergeConsecutiveMessages { get; set; }

    /// <summary>Gets or sets the line that opens the system text merged into the first user message. Default: <c>[System instructions]</c>.</summary>
    public string InstructionsHeader { get; set; } = "[System instructions]";

    /// <summary>Gets or sets the line that closes the merged system text, before the user's own text. Default: <c>[End of system instructions]</c>.</summary>
    public string InstructionsFooter { get; set; } = "[End of system instructions]";
}
