using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace CompatAI.StackExchangeRedis.Tests.Infrastructure;

/// <summary>Keeps every log entry (level and formatted message) written to it.</summary>
internal sealed class CapturingLogger<T> : ILogger<T>
{
    private readonly ConcurrentQueue<(LogLevel Level, string Message)> _entries = new();

    public IReadOnlyList<(LogLevel Level, string Message)> Entries => [.. _entries];

    public int Count(LogLevel level, string contains) => Entries.Count(e => e.Level == level && e.Message.Contains(contains, StringComparison.Ordinal));

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        _entries.Enqueue((logLevel, formatter(state, exception)));
}
