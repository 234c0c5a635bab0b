using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TokenIntrospection.Tests;

/// <summary>Every log record of the service provider, at every level, with its message, its structured values and
/// its exception, to check what reaches the logs.</summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    public ConcurrentQueue<Record> Records { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    /// <summary>Everything captured as one text: messages, every structured value, exceptions.</summary>
    public string AllText() => string.Join('\n', Records.Select(r => r.ToString()));

    public IEnumerable<Record> WithEventId(string category, int eventId) => Records.Where(r => r.Category == category && r.EventId == eventId);

    public sealed record Record(string Category, LogLevel Level, int EventId, string Message, IReadOnlyList<KeyValuePair<string, object?>> Values, Exception? Exception)
    {
        public object? this[string name] => Values.FirstOrDefault(v => v.Key == name).Value;

        public override string ToString()
            => $"{Category} [{Level}] {EventId} {Message} {{{string.Join(", ", Values.Select(v => $"{v.Key}={v.Value}"))}}} {Exception}";
    }

    private sealed class Logger(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IReadOnlyList<KeyValuePair<string, object?>> list ? list.ToList() : [];
            owner.Records.Enqueue(new Record(category, logLevel, eventId.Id, formatter(state, exception), values, exception));
        }
    }
}
