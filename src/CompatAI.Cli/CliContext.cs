namespace CompatAI.Cli;

/// <summary>Where a command writes and reads, and whether it may draw for a terminal.</summary>
/// <param name="Output">Standard output.</param>
/// <param name="Error">Standard error.</param>
/// <param name="Input">Standard input.</param>
/// <param name="IsTerminal">True when output is an interactive console (tables, colours, progress); false gives plain text.</param>
internal sealed record CliContext(TextWriter Output, TextWriter Error, TextReader Input, bool IsTerminal);
